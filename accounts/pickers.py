"""Which organisations and people a form offers for an area: those serving it (the community,
its street, district and city above it, or for a district or street matter the areas inside
it too), grouped by kind in the order a community worker looks for them. A 金凤区 community is
never offered 彭阳四中 or 平罗县农业农村局. An organisation whose areas served are not set yet
(a new one an administrator has still to place) is offered everywhere rather than nowhere.

The forms show these choices; the actions refuse anything else (`check_serves`), so a forged
POST with another organisation gets a clear message, not a silent save.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User
from core.errors import ActionError
from places.models import Area

# The order of the groups: the community's own first, then those who do the work, then above.
KIND_ORDER = [
    Organisation.Kind.RESIDENTS_COMMITTEE,
    Organisation.Kind.PARTY_BRANCH,
    Organisation.Kind.PROPERTY_COMPANY,
    Organisation.Kind.OWNERS_COMMITTEE,
    Organisation.Kind.PRACTICE_STATION,
    Organisation.Kind.STREET_OFFICE,
    Organisation.Kind.MANAGEMENT_COMMITTEE,
    Organisation.Kind.GOVERNMENT_DEPARTMENT,
    Organisation.Kind.LAW_ENFORCEMENT,
    Organisation.Kind.UTILITY,
    Organisation.Kind.SERVICE_PROVIDER,
    Organisation.Kind.CPPCC,
    Organisation.Kind.OTHER,
]


def _served_condition(area: Area) -> Q:
    """Organisations serving `area` or an area above it; for an area above a community (a
    street or district matter), also those serving the areas inside it."""
    condition = Q(areas__path__in=_ancestor_paths(area)) | Q(areas__isnull=True)
    if area.kind not in (Area.Kind.COMMUNITY, Area.Kind.GRID):
        condition |= Q(areas__path__startswith=area.path)
    return condition


def _ancestor_paths(area: Area) -> list[str]:
    parts = [p for p in area.path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def organisations_serving(area: Area | None) -> QuerySet[Organisation]:
    """Active organisations in scope for `area`, grouped by kind (KIND_ORDER), then by name."""
    if area is None:
        return Organisation.objects.none()
    if area.kind == Area.Kind.GRID and area.parent is not None:
        area = area.parent
    ids = Organisation.objects.filter(_served_condition(area), active=True).values("pk")
    rank = Case(
        *[When(kind=kind, then=Value(n)) for n, kind in enumerate(KIND_ORDER)],
        default=Value(len(KIND_ORDER)),
        output_field=IntegerField(),
    )
    return (
        Organisation.objects.filter(pk__in=ids)
        .annotate(kind_rank=rank)
        .order_by("kind_rank", "name")
    )


def serves(organisation: Organisation, area: Area) -> bool:
    return organisations_serving(area).filter(pk=organisation.pk).exists()


def check_serves(organisation: Organisation | None, area: Area, field: str) -> None:
    """Refuse an organisation that does not serve the area (a forged or stale form)."""
    check_all_serve([organisation], area, field)


def check_all_serve(organisations: Iterable[Organisation | None], area: Area, field: str) -> None:
    """Refuse the first of these organisations that does not serve the area, in one query."""
    wanted = {o.pk: o for o in organisations if o is not None}
    if not wanted:
        return
    serving = set(organisations_serving(area).filter(pk__in=wanted).values_list("pk", flat=True))
    for pk, organisation in wanted.items():
        if pk not in serving:
            raise ActionError(
                _("“%(name)s” does not serve %(area)s; choose one of the organisations offered.")
                % {"name": organisation.name, "area": area.name},
                code="organisation_out_of_scope",
                field=field,
            )


def grouped_choices(organisations: Any, *, blank: bool = True) -> list[Any]:
    """Choices for a select or checkboxes: one group per kind, in the queryset's order."""
    labels = dict(Organisation.Kind.choices)
    groups: dict[str, list[tuple[int, str]]] = {}
    for org in organisations:
        groups.setdefault(str(labels.get(org.kind, org.kind)), []).append((org.pk, org.name))
    choices: list[Any] = [("", "---------")] if blank else []
    choices += list(groups.items())
    return choices


def representatives_serving(area: Area | None) -> QuerySet[User]:
    """Accounts representing an organisation in scope for `area` (for 责任人)."""
    if area is None:
        return User.objects.none()
    return (
        User.objects.filter(
            is_active=True,
            roles__kind=Role.Kind.ORG_REPRESENTATIVE,
            roles__organisation__in=organisations_serving(area).values("pk"),
        )
        .distinct()
        .order_by("full_name", "username")
    )


def representative_choices(area: Area | None) -> list[Any]:
    """责任人 grouped by the organisation they represent."""
    people = representatives_serving(area)
    roles = (
        Role.objects.filter(kind=Role.Kind.ORG_REPRESENTATIVE, user__in=people)
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__full_name")
    )
    served = set(organisations_serving(area).values_list("pk", flat=True))
    groups: dict[str, list[tuple[int, str]]] = {}
    for role in roles:
        if role.organisation_id in served:
            assert role.organisation is not None
            groups.setdefault(role.organisation.name, []).append(
                (role.user_id, role.user.display_name)
            )
    return [("", "---------"), *groups.items()]


def offer_organisations(form: Any, name: str, area: Area | None, *, exclude: Any = ()) -> None:
    """Limit a form's organisation field to those serving `area`, grouped and searchable."""
    from django import forms

    from accounts.widgets import SearchCheckboxes, SearchSelect

    field = form.fields[name]
    queryset = organisations_serving(area).exclude(kind__in=list(exclude))
    field.queryset = queryset
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    widget = SearchCheckboxes() if multiple else SearchSelect()
    widget.is_required = field.required
    field.widget = widget
    field.choices = grouped_choices(queryset, blank=not multiple)


def offer_representatives(form: Any, name: str, area: Area | None) -> None:
    """Limit a 责任人 field to representatives of organisations serving `area`."""
    from accounts.widgets import SearchSelect

    field = form.fields[name]
    field.queryset = representatives_serving(area)
    field.widget = SearchSelect()
    field.choices = representative_choices(area)


# Who an issue is not sent on to: the community's own bodies and the companies it oversees.
NOT_ESCALATION_KINDS = (
    Organisation.Kind.RESIDENTS_COMMITTEE,
    Organisation.Kind.PARTY_BRANCH,
    Organisation.Kind.PROPERTY_COMPANY,
    Organisation.Kind.OWNERS_COMMITTEE,
    Organisation.Kind.PRACTICE_STATION,
)


def escalation_targets(area: Area | None) -> QuerySet[Organisation]:
    """Streets and departments an issue of `area` may be sent on to (上报)."""
    return organisations_serving(area).exclude(kind__in=NOT_ESCALATION_KINDS)
