"""What the action modules share: locking, who acted, keyed hashes, and the checks every
meeting step makes before it changes anything."""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import Meeting, Motion, Participant, Topic
from consultations.permissions import check_can_change_meeting
from core import phones
from core.errors import ActionError
from places.models import Area

# Participants may sign in from this long before the meeting starts.
SIGN_IN_OPENS = timedelta(hours=6)


def _account(actor: Any) -> Any:
    """The staff account behind an action, or None for a resident or participant."""
    return actor if getattr(actor, "is_authenticated", False) else None


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _keyed_hash(*parts: Any) -> str:
    message = ":".join(str(p) for p in parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def voter_key(motion: Motion, participant: Participant) -> str:
    """The key that makes a vote once per participant without naming them."""
    return _keyed_hash("vote", motion.pk, participant.pk)


def resident_key(phone: str) -> str:
    """Who a resident is for counting support: a keyed hash of the phone, never the number."""
    return _keyed_hash("resident", phones.normalise(phone))


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _in_tree(inner: Area, outer: Area) -> bool:
    return inner.path.startswith(outer.path)


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("area", "convener")
        .get(pk=meeting.pk)
    )


def _require_status(meeting: Meeting, allowed: Iterable[str], refused: ActionError) -> None:
    """`refused` (a Conflict naming its code where it is written) unless the meeting's status
    is one of `allowed`."""
    if meeting.status not in allowed:
        raise refused


def _changeable_meeting(
    actor: Any, meeting: Meeting, allowed: Iterable[str] = (), refused: ActionError | None = None
) -> Meeting:
    """The meeting locked for a change `actor` may make, in one of the `allowed` statuses
    (any when none are given); `refused` says why not."""
    meeting = _locked_meeting(meeting)
    check_can_change_meeting(actor, meeting)
    if refused is not None:
        _require_status(meeting, allowed, refused)
    return meeting


def _required(value: Any, missing: ActionError) -> None:
    if not value:
        raise missing


def _one_of(value: Any, allowed: Iterable[Any], wrong: ActionError) -> None:
    if value not in allowed:
        raise wrong


def _topic_on_agenda(meeting: Meeting, topic: Topic | None) -> None:
    if topic is not None and not meeting.topics.filter(pk=topic.pk).exists():
        raise ActionError(
            _("That topic is not on this meeting's agenda."),
            code="topic_not_on_agenda",
            field="topic",
        )


def _unused_code(used: set[str]) -> str:
    """A six-digit sign-in code no participant of the meeting holds yet."""
    while True:
        code = f"{secrets.randbelow(1_000_000):06d}"
        if code not in used:
            return code
