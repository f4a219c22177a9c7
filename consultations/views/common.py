"""What the pages share: ids typed into a form or URL, the participant or motion of a meeting
they name, and an action's error shown beside the field it concerns."""

from typing import Any

from django.utils.translation import gettext as _

from consultations.models import Meeting, Motion, Participant
from core.errors import ActionError

MAX_ID = 2**63 - 1


def parse_pk(value: Any) -> int | None:
    """An id typed into a form or URL, or None when it cannot be one."""
    text = str(value or "")
    if not text.isdigit() or not 0 < int(text) <= MAX_ID:
        return None
    return int(text)


def participant_at(meeting: Meeting, pk: Any) -> Participant:
    participant = meeting.participants.filter(pk=parse_pk(pk) or 0).first()
    if participant is None:
        raise ActionError(
            _("That person is not a participant of this meeting."),
            code="not_a_participant",
            field="participant",
        )
    return participant


def motion_at(meeting: Meeting, pk: Any) -> Motion:
    motion = meeting.motions.filter(pk=parse_pk(pk) or 0).first()
    if motion is None:
        raise ActionError(
            _("No such motion at this meeting."), code="unknown_motion", field="motion"
        )
    return motion
