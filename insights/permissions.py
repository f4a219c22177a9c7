"""Who may read which figures and ledgers (what they see of residents' phones, names and
addresses in them is accounts.masking's rule, as everywhere).

Built on accounts/permissions.py: an area outside the user's scope is 404; a role that may
look but not change (district officers, CPPCC members) gets 403 for imports.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.permissions import (
    COMMUNITY_ROLES,
    get_area_for_user,
    holds_role_over,
    scope_of,
)
from places.models import Area


def get_area_for_insights(user: Any, code: str) -> Area:
    """An area whose figures and ledgers the user may read (404 otherwise)."""
    if not scope_of(user).is_staff:
        raise Http404
    return get_area_for_user(user, code)


def default_area(user: Any) -> Area | None:
    """Where the dashboard opens: the widest area the user oversees."""
    scope = scope_of(user)
    if scope.is_admin and not scope.read_paths:
        return Area.objects.filter(parent__isnull=True).order_by("path").first()
    paths = scope.read_paths
    if not paths:
        return None
    return Area.objects.filter(path=paths[0]).first()


def get_community_for_import(user: Any, code: str) -> Area:
    """A community whose past registers the user may load: its own staff (or an admin)."""
    area = get_area_for_insights(user, code)
    if area.kind != Area.Kind.COMMUNITY:
        raise Http404
    if not holds_role_over(user, area, set(COMMUNITY_ROLES)):
        raise PermissionDenied
    return area
