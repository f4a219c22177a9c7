"""Who may do what through Open311. Reading services and requests is open to anyone, as
GeoReport v2 has it; creating a request needs a live API key, and a key reports only in
the areas it was issued for (and everything below them)."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from open311.formats import Open311Error
from open311.models import ApiKey
from places.models import Area


def key_paths(api_key: ApiKey) -> list[str]:
    return list(api_key.areas.values_list("path", flat=True))


def _within(paths: list[str]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return condition


def communities_for_key(api_key: ApiKey, scope: Area | None) -> QuerySet[Area]:
    """The communities the key may report in, inside the jurisdiction if one was named;
    403 when the jurisdiction and the key's areas do not meet."""
    paths = key_paths(api_key)
    if scope is not None and not any(
        scope.path.startswith(p) or p.startswith(scope.path) for p in paths
    ):
        raise Open311Error(
            403,
            "jurisdiction_not_served",
            _("This api_key may not report in the jurisdiction %(code)s.") % {"code": scope.code},
        )
    communities = Area.objects.filter(_within(paths), kind=Area.Kind.COMMUNITY)
    if scope is not None:
        communities = communities.filter(path__startswith=scope.path)
    return communities
