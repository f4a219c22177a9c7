"""Who may see and change topics and meetings (built on accounts.permissions).

- Seeing a topic or meeting: anyone whose scope covers its area (404 outside).
- Convening (making topics, accepting or shelving them, scheduling and running meetings): the
  community's own staff for a community; for a street or district matter, the street officers
  above it and the representatives of a CPPCC committee serving it (thematic consultations
  come from there).
- Changing a meeting: the convener's staff only, i.e. the same people for the meeting's area,
  plus representatives of the convening organisation. Everyone else who can see it gets 403.
- CPPCC members (政协委员): by that role alone they only look over their district (403). As
  representatives of their committee (the demo's members are) they propose and decide the
  committee's district and street topics and run the meetings it convenes, in a community
  too (三方协商); community topics and other conveners' meetings stay 403 for them.
- Participants act without an account, by their sign-in code, and only as themselves.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.masking import HANDLER, Masking, masking_for
from accounts.models import Organisation, Role
from accounts.permissions import (
    COMMUNITY_ROLES,
    area_filter,
    can_view_area,
    holds_role_over,
    require,
    scope_of,
    visible_or_404,
)
from consultations.models import Meeting, Topic
from places.models import Area

LOCAL_KINDS = (Area.Kind.COMMUNITY, Area.Kind.GRID)
# The community's own staff (as plain strings, the type holds_role_over takes).
STAFF_ROLES: set[str] = {str(kind) for kind in COMMUNITY_ROLES}


def can_convene(user: Any, area: Area, convener: Organisation | None = None) -> bool:
    """Whether the user may make topics and run meetings for `area`."""
    scope = scope_of(user)
    if scope.is_admin:
        return True
    if not can_view_area(user, area):
        return False
    if holds_role_over(user, area, STAFF_ROLES):
        return True
    if area.kind not in LOCAL_KINDS and holds_role_over(
        user, area, {str(Role.Kind.STREET_OFFICER)}
    ):
        return True
    if not scope.organisation_ids:
        return False
    if convener is not None:
        return convener.pk in scope.organisation_ids
    if area.kind in LOCAL_KINDS:
        return False
    # A CPPCC committee serving this district (or one above it) sets thematic topics.
    return Organisation.objects.filter(
        pk__in=scope.organisation_ids,
        kind=Organisation.Kind.CPPCC,
        areas__in=area.ancestors(include_self=True),
    ).exists()


def can_change_meeting(user: Any, meeting: Meeting) -> bool:
    return can_convene(user, meeting.area, meeting.convener)


def can_change_topic(user: Any, topic: Topic) -> bool:
    return can_convene(user, topic.area)


def check(user: Any, area: Area, allowed: bool) -> None:
    """404 where the user may not see the area's things, 403 where they may only look."""
    require(can_view_area(user, area), allowed)


def check_can_convene(user: Any, area: Area, convener: Organisation | None = None) -> None:
    check(user, area, can_convene(user, area, convener))


def check_can_change_meeting(user: Any, meeting: Meeting) -> None:
    check(user, meeting.area, can_change_meeting(user, meeting))


def check_can_change_topic(user: Any, topic: Topic) -> None:
    check(user, topic.area, can_change_topic(user, topic))


def visible_topics(user: Any) -> QuerySet[Topic]:
    return Topic.objects.filter(area_filter(user, "area"))


def visible_meetings(user: Any) -> QuerySet[Meeting]:
    return Meeting.objects.filter(area_filter(user, "area"))


MAX_ID = 2**63 - 1


def existing_pk(pk: int) -> int:
    """A primary key from a URL: one beyond the database's range cannot exist (404)."""
    if not 0 < pk <= MAX_ID:
        raise Http404
    return pk


def get_topic_for_user(user: Any, pk: int, *, write: bool = False) -> Topic:
    existing_pk(pk)
    return visible_or_404(
        visible_topics(user).select_related("area"),
        pk,
        may=(lambda topic: can_change_topic(user, topic)) if write else None,
    )


def get_meeting_for_user(user: Any, pk: int, *, write: bool = False) -> Meeting:
    existing_pk(pk)
    return visible_or_404(
        visible_meetings(user).select_related("area", "venue", "convener", "convened_by"),
        pk,
        may=(lambda meeting: can_change_meeting(user, meeting)) if write else None,
    )


def participant_masking(user: Any, meeting: Meeting) -> Masking:
    """Participants' phones: in full for the convener's staff, who call them; for anyone else
    who may look, as the residents' rule of the meeting's area decides (accounts.masking)."""
    if can_change_meeting(user, meeting):
        return HANDLER
    return masking_for(user, meeting.area)
