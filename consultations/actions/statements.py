"""What is said at a meeting (各抒己见) and the field visits (调研走访) behind it."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.pickers import check_serves
from consultations.actions.common import (
    _account,
    _changeable_meeting,
    _locked_meeting,
    _require_status,
    _topic_on_agenda,
)
from consultations.models import FieldVisit, Meeting, Participant, Statement, Topic
from consultations.permissions import check_can_change_meeting
from consultations.verbs import MEETING_FIELD_VISIT, MEETING_STATEMENT
from core.errors import ActionError, Conflict
from core.text import plain_text
from timeline.actors import COMMUNITY, FIELD_TEAM
from timeline.services import record


def _check_speaker(
    meeting: Meeting, actor: Any, speaker: Participant | None, participant: Participant | None
) -> Participant | None:
    """Staff may record anyone's statement; a participant only their own."""
    if speaker is not None:
        if speaker.meeting_id != meeting.pk:
            raise PermissionDenied
        if participant is not None and participant.pk != speaker.pk:
            raise ActionError(
                _("You can add only your own statements."), code="not_own_statement", status=403
            )
        if not speaker.signed_in:
            raise Conflict(_("Sign in to the meeting first."), code="not_signed_in")
        return speaker
    check_can_change_meeting(actor, meeting)
    if participant is not None and participant.meeting_id != meeting.pk:
        raise ActionError(
            _("That person is not a participant of this meeting."),
            code="not_a_participant",
            field="participant",
        )
    return participant


@transaction.atomic
def add_statement(
    meeting: Meeting,
    *,
    text: str,
    kind: str = Statement.Kind.STATEMENT,
    topic: Topic | None = None,
    participant: Participant | None = None,
    actor: Any = None,
    speaker: Participant | None = None,
) -> Statement:
    """各抒己见: a participant's statement or proposal, in the minutes."""
    meeting = _locked_meeting(meeting)
    participant = _check_speaker(meeting, actor, speaker, participant)
    _require_status(
        meeting,
        (Meeting.Status.HELD,),
        Conflict(
            _("Statements are recorded while the meeting is on."), code="meeting_not_in_session"
        ),
    )
    text = plain_text(text, "text", limit=4000)
    if not text:
        raise ActionError(_("Write what was said."), code="statement_text_required", field="text")
    if kind not in Statement.Kind.values:
        raise ActionError(
            _("A statement is either a view or a proposal."),
            code="invalid_statement_kind",
            field="kind",
        )
    _topic_on_agenda(meeting, topic)
    statement = Statement.objects.create(
        meeting=meeting,
        participant=participant,
        topic=topic,
        kind=kind,
        text=text,
        recorded_by=_account(actor),
    )
    record(
        meeting,
        MEETING_STATEMENT,
        actor=actor,
        actor_label=str(participant.get_party_display()) if participant else COMMUNITY,
        public=False,
        note=text[:200],
    )
    return statement


@transaction.atomic
def add_field_visit(
    actor: Any,
    meeting: Meeting,
    *,
    place: str,
    visited_on: date,
    findings: str,
    organisation: Organisation | None = None,
) -> FieldVisit:
    """调研走访: a place visited for a thematic consultation, with what was found."""
    meeting = _changeable_meeting(
        actor,
        meeting,
        (Meeting.Status.DRAFT, Meeting.Status.ANNOUNCED, Meeting.Status.HELD),
        Conflict(
            _("Field visits are recorded before the meeting is closed."), code="meeting_closed"
        ),
    )
    place = plain_text(place, "place", limit=120)
    findings = plain_text(findings, "findings")
    if not place:
        raise ActionError(_("Name the place visited."), code="visit_place_required", field="place")
    if not findings:
        raise ActionError(
            _("Write down what was found."), code="visit_findings_required", field="findings"
        )
    check_serves(organisation, meeting.area, "organisation")
    if visited_on > timezone.localdate():
        raise ActionError(
            _("A visit cannot be recorded before it happens."),
            code="visit_in_future",
            field="visited_on",
        )
    visit = FieldVisit.objects.create(
        meeting=meeting,
        place=place,
        organisation=organisation,
        visited_on=visited_on,
        findings=findings,
    )
    record(meeting, MEETING_FIELD_VISIT, actor=actor, actor_label=FIELD_TEAM, note=place)
    return visit
