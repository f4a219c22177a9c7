"""Who may read which figures and ledgers, and who may see residents' phones and names.

Built on accounts/permissions.py: an area outside the user's scope is 404; a role that may
look but not change (district officers, CPPCC members) gets 403 for imports.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.permissions import (
    COMMUNITY_ROLES,
    GRID_ROLES,
    get_area_for_user,
    holds_role_over,
    scope_of,
)
from places.models import Area

# Those who call residents back: the community's own staff and the grid's workers.
PERSONAL_DATA_ROLES = COMMUNITY_ROLES | GRID_ROLES


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


def may_see_personal_data(user: Any, area: Area) -> bool:
    """Phones and names in full only for community staff and grid workers of the area
    (and administrators); officers above read them masked."""
    return holds_role_over(user, area, set(PERSONAL_DATA_ROLES))


def get_community_for_import(user: Any, code: str) -> Area:
    """A community whose past registers the user may load: its own staff (or an admin)."""
    area = get_area_for_insights(user, code)
    if area.kind != Area.Kind.COMMUNITY:
        raise Http404
    if not holds_role_over(user, area, set(COMMUNITY_ROLES)):
        raise PermissionDenied
    return area


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise, not enough to call."""
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) < 8:
        return digits[:1] + "*" * (len(digits) - 3) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str) -> str:
    name = name.strip()
    return name[:1] + "**" if name else ""
