"""Participants: invited one by one or in bulk, their replies, and signing in (by their own
code on their phone, or by staff), which opens the session."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.pickers import check_all_serve, check_serves
from consultations.actions.common import (
    SIGN_IN_OPENS,
    _changeable_meeting,
    _locked_meeting,
    _now,
    _one_of,
    _require_status,
    _required,
    _unused_code,
)
from consultations.models import Meeting, Participant
from consultations.verbs import MEETING_HELD, MEETING_INVITED, MEETING_REPLIED, MEETING_SIGNED_IN
from core import phones
from core.errors import ActionError, Conflict
from core.text import plain_text
from timeline.actors import COMMUNITY, PARTICIPANT
from timeline.services import record


@transaction.atomic
def invite_participant(
    actor: Any,
    meeting: Meeting,
    *,
    party: str,
    name: str,
    organisation: Organisation | None = None,
    user: Any = None,
    phone: str = "",
    may_vote: bool = True,
) -> Participant:
    """Invite someone for a party; they get a sign-in code. Inviting the same person twice
    returns the first invitation."""
    meeting = _open_for_invitations(actor, meeting)
    _one_of(
        party,
        Participant.Party.values,
        ActionError(
            _("Choose the party the participant speaks for."), code="party_required", field="party"
        ),
    )
    name = plain_text(name, "name", limit=50)
    _required(
        name,
        ActionError(
            _("Give the participant's name."), code="participant_name_required", field="name"
        ),
    )
    check_serves(organisation, meeting.area, "organisation")
    phone = phones.normalise(phone) if phone else ""
    existing = meeting.participants.filter(
        party=party, name=name, organisation=organisation
    ).first()
    if existing is not None:
        return existing
    codes = set(meeting.participants.values_list("sign_in_code", flat=True))
    return _add_participant(
        actor,
        meeting,
        codes,
        party=party,
        name=name,
        organisation=organisation,
        user=user,
        phone=phone,
        may_vote=may_vote,
    )


@transaction.atomic
def invite_many(actor: Any, meeting: Meeting, people: Iterable[Any]) -> tuple[int, int]:
    """Invite everyone in `people` (consultations.invitations.Invitee, from a party, an
    organisation or the residents behind the agenda's issues) in one go. Returns (invited,
    already there). Someone already invited (same account, phone, or party, name and
    organisation) is not invited twice."""
    meeting = _open_for_invitations(actor, meeting)
    people = list(people)
    check_all_serve((person.organisation for person in people), meeting.area, "organisations")
    known = _Invited(meeting.participants.all())
    invited = already = 0
    for person in people:
        if known.has(person):
            already += 1
            continue
        participant = _add_participant(
            actor,
            meeting,
            known.codes,
            party=person.party,
            name=person.name,
            organisation=person.organisation,
            user=person.user,
            phone=person.phone,
            may_vote=person.may_vote,
        )
        known.add(participant)
        invited += 1
    return invited, already


def _open_for_invitations(actor: Any, meeting: Meeting) -> Meeting:
    return _changeable_meeting(
        actor,
        meeting,
        (Meeting.Status.DRAFT, Meeting.Status.ANNOUNCED, Meeting.Status.HELD),
        Conflict(_("This meeting is over; nobody can be invited."), code="meeting_over"),
    )


class _Invited:
    """Who a meeting has invited already: by account, by phone, or by party, name and
    organisation; and the sign-in codes they hold."""

    def __init__(self, present: Iterable[Participant]) -> None:
        self.users: set[int] = set()
        self.phones: set[str] = set()
        self.names: set[tuple[str, str, int | None]] = set()
        self.codes: set[str] = set()
        for participant in present:
            self.add(participant)

    def add(self, participant: Participant) -> None:
        if participant.user_id:
            self.users.add(participant.user_id)
        if participant.phone:
            self.phones.add(participant.phone)
        self.names.add((participant.party, participant.name, participant.organisation_id))
        self.codes.add(participant.sign_in_code)

    def has(self, person: Any) -> bool:
        organisation = person.organisation.pk if person.organisation else None
        return (
            (person.user is not None and person.user.pk in self.users)
            or bool(person.phone and person.phone in self.phones)
            or (person.party, person.name, organisation) in self.names
        )


def _add_participant(actor: Any, meeting: Meeting, codes: set[str], **fields: Any) -> Participant:
    """A new participant with a code none of `codes` holds; the one invited is told."""
    participant = Participant.objects.create(
        meeting=meeting, sign_in_code=_unused_code(codes), **fields
    )
    codes.add(participant.sign_in_code)
    record(
        meeting,
        MEETING_INVITED,
        actor=actor,
        actor_label=COMMUNITY,
        public=False,
        note=participant.speaker,
        # Once the notice is out, notifications tell the one invited (in the app when they
        # have an account, else by SMS when they gave a phone), with their code.
        data={"participant": participant.pk},
    )
    return participant


@transaction.atomic
def record_reply(actor: Any, participant: Participant, reply: str) -> Participant:
    meeting = _changeable_meeting(actor, participant.meeting)
    _one_of(
        reply,
        (Participant.Reply.ACCEPTED, Participant.Reply.DECLINED),
        ActionError(
            _("A reply is either “will attend” or “cannot attend”."),
            code="invalid_reply",
            field="reply",
        ),
    )
    _require_status(
        meeting,
        (Meeting.Status.DRAFT, Meeting.Status.ANNOUNCED),
        Conflict(_("Replies are taken before the meeting."), code="replies_closed"),
    )
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    participant.reply = reply
    participant.replied_at = timezone.now()
    participant.save(update_fields=["reply", "replied_at"])
    record(meeting, MEETING_REPLIED, actor=actor, public=False, note=participant.speaker)
    return participant


def _open_for_sign_in(meeting: Meeting, now: datetime) -> None:
    if meeting.status == Meeting.Status.HELD:
        return
    if meeting.status != Meeting.Status.ANNOUNCED:
        raise Conflict(
            _("Sign-in is only open while the meeting is on."), code="meeting_not_in_session"
        )
    if now < meeting.starts_at - SIGN_IN_OPENS:
        raise Conflict(_("Sign-in opens on the day of the meeting."), code="sign_in_not_open_yet")


def _mark_held(meeting: Meeting, now: datetime, actor: Any = None) -> None:
    if meeting.status == Meeting.Status.ANNOUNCED:
        meeting.status = Meeting.Status.HELD
        meeting.held_at = now
        meeting.save(update_fields=["status", "held_at", "updated_at"])
        record(meeting, MEETING_HELD, actor=actor, actor_label=COMMUNITY)


@transaction.atomic
def hold_meeting(actor: Any, meeting: Meeting, *, now: datetime | None = None) -> Meeting:
    """Open the session (sign-in also opens it when the first participant signs in)."""
    meeting = _changeable_meeting(actor, meeting)
    if meeting.status == Meeting.Status.HELD:
        return meeting
    _open_for_sign_in(meeting, _now(now))
    _mark_held(meeting, _now(now), actor)
    return meeting


@transaction.atomic
def sign_in_with_code(meeting: Meeting, code: str, *, now: datetime | None = None) -> Participant:
    """A participant signs in on their phone with the code from the invitation."""
    meeting = _locked_meeting(meeting)
    now = _now(now)
    _open_for_sign_in(meeting, now)
    code = (code or "").strip()
    if not code.isdigit():
        code = ""  # never sent to the database: only digits are codes
    participant = (
        Participant.objects.select_for_update().filter(meeting=meeting, sign_in_code=code).first()
        if code
        else None
    )
    if participant is None:
        raise ActionError(
            _("That sign-in code is not right for this meeting."),
            code="wrong_sign_in_code",
            field="code",
        )
    if participant.signed_in:
        raise Conflict(
            _("This code has already been used to sign in."), code="sign_in_code_used", field="code"
        )
    participant.signed_in_at = now
    participant.save(update_fields=["signed_in_at"])
    _mark_held(meeting, now)
    record(
        meeting, MEETING_SIGNED_IN, actor_label=PARTICIPANT, public=False, note=participant.speaker
    )
    return participant


@transaction.atomic
def staff_sign_in(
    actor: Any, participant: Participant, *, now: datetime | None = None
) -> Participant:
    """Staff sign in a participant without a phone."""
    meeting = _changeable_meeting(actor, participant.meeting)
    now = _now(now)
    _open_for_sign_in(meeting, now)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.signed_in:
        raise Conflict(_("This participant has already signed in."), code="already_signed_in")
    participant.signed_in_at = now
    participant.signed_in_by = actor
    participant.save(update_fields=["signed_in_at", "signed_in_by"])
    _mark_held(meeting, now, actor)
    record(meeting, MEETING_SIGNED_IN, actor=actor, public=False, note=participant.speaker)
    return participant
