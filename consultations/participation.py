"""Participants and residents who act without an account: the signed token a participant's
phone carries after signing in with their code, and the per-address limits on wrong codes and
on support. The pages and the JSON API both use these."""

from django.core import signing
from django.http import HttpRequest
from django.utils.translation import gettext as _

from consultations import actions
from consultations.models import Meeting, Participant, Topic
from core import ratelimit
from core.errors import ActionError, RateLimited

# Wrong sign-in codes allowed per meeting and address in ten minutes.
SIGN_IN_FAILURES = 10


SIGN_IN_WINDOW = 600


PARTICIPANT_SALT = "consultations.participant"


def participant_token(participant: Participant) -> str:
    """A signed token naming a signed-in participant, for their phone (session or API)."""
    return signing.dumps({"m": participant.meeting_id, "p": participant.pk}, salt=PARTICIPANT_SALT)


def participant_from_token(token: str, meeting: Meeting) -> Participant | None:
    try:
        data = signing.loads(token or "", salt=PARTICIPANT_SALT)
    except signing.BadSignature:
        return None
    if data.get("m") != meeting.pk:
        return None
    return meeting.participants.select_related("organisation").filter(pk=data.get("p")).first()


def session_key(meeting: Meeting) -> str:
    return f"consultations.participant.{meeting.pk}"


def sign_in_by_code(request: HttpRequest, meeting: Meeting, code: str) -> Participant:
    """Sign in with a code, counting wrong codes per meeting and address."""
    key = f"meeting-sign-in:{meeting.pk}:{ratelimit.client_ip(request)}"
    wait = ratelimit.is_limited(key, SIGN_IN_FAILURES, SIGN_IN_WINDOW)
    if wait:
        raise RateLimited(_("Too many wrong codes; try again in a few minutes."), retry_after=wait)
    try:
        return actions.sign_in_with_code(meeting, code)
    except ActionError as exc:
        if exc.field == "code":
            ratelimit.hit(key, SIGN_IN_FAILURES, SIGN_IN_WINDOW)
        raise


# Supports one address may send in an hour (each number counts once anyway).
SUPPORT_LIMIT = 30


SUPPORT_WINDOW = 3600


def support_from(request: HttpRequest, topic: Topic, phone: str) -> Topic:
    """A resident's support, limited per address so a script cannot stuff numbers."""
    key = f"topic-support:{ratelimit.client_ip(request)}"
    wait = ratelimit.hit(key, SUPPORT_LIMIT, SUPPORT_WINDOW)
    if wait:
        raise RateLimited(_("Too many requests from here; try again later."), retry_after=wait)
    return actions.support_topic(topic, phone=phone)
