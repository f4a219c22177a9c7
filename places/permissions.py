"""Who may read and edit area profiles, on top of accounts.permissions.

A profile is public reading. Editing it is the job of the people who hold the area: the
community's own staff for a community, street officers for a street (and administrators).
Someone who may see the area but not hold it (a district officer, a street officer looking
at one of its communities) gets 403; an area outside the user's scope is 404.
"""

from typing import Any

from django.http import Http404

from accounts.models import Role
from accounts.permissions import COMMUNITY_ROLES, can_view_area, holds_role_over, require
from places.models import Area, AreaProfile

EDITORS: dict[str, set[str]] = {
    Area.Kind.COMMUNITY: set(COMMUNITY_ROLES),
    Area.Kind.STREET: {Role.Kind.STREET_OFFICER},
}


def can_edit_profile(user: Any, area: Area) -> bool:
    kinds = EDITORS.get(area.kind)
    return bool(kinds) and holds_role_over(user, area, kinds or set())


def get_area_for_profile(code: str) -> Area:
    """A community or street by code, for reading its (public) profile; 404 otherwise."""
    area = Area.objects.filter(code=code, kind__in=AreaProfile.KINDS).first()
    if area is None:
        raise Http404
    return area


def get_area_for_profile_edit(user: Any, code: str) -> Area:
    """A community or street whose profile the user edits: 404 outside their scope, 403
    where they may see it but not edit it."""
    area = get_area_for_profile(code)
    require(can_view_area(user, area), lambda: can_edit_profile(user, area))
    return area
