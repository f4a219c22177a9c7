"""Motions put to a meeting's decision, by consensus or by vote, and the votes on them."""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from consultations.actions.common import (
    _changeable_meeting,
    _now,
    _one_of,
    _topic_on_agenda,
    voter_key,
)
from consultations.models import Meeting, Motion, Participant, Statement, Topic, Vote
from consultations.permissions import check_can_change_meeting
from consultations.verbs import MEETING_MOTION_CLOSED, MEETING_MOTION_OPENED, MEETING_VOTE_CAST
from core.errors import ActionError, Conflict
from core.text import plain_text
from timeline.actors import COMMUNITY
from timeline.services import record


@transaction.atomic
def open_motion(
    actor: Any,
    meeting: Meeting,
    *,
    text: str,
    method: str = Motion.Method.VOTE,
    topic: Topic | None = None,
    proposal: Statement | None = None,
    secret: bool = False,
) -> Motion:
    """Put a proposal to the meeting's decision, by consensus or by vote."""
    meeting = _changeable_meeting(
        actor,
        meeting,
        (Meeting.Status.HELD,),
        Conflict(_("Decisions are taken while the meeting is on."), code="meeting_not_in_session"),
    )
    if method not in Motion.Method.values:
        raise ActionError(
            _("Decide by consensus or by vote."), code="invalid_motion_method", field="method"
        )
    if proposal is not None and proposal.meeting_id != meeting.pk:
        raise ActionError(
            _("That proposal was made at another meeting."),
            code="proposal_of_other_meeting",
            field="proposal",
        )
    text = plain_text(text, "text", limit=2000) or (proposal.text if proposal else "")
    if not text:
        raise ActionError(
            _("Write what is being decided."), code="motion_text_required", field="text"
        )
    topic = topic or (proposal.topic if proposal else None)
    _topic_on_agenda(meeting, topic)
    motion = Motion.objects.create(
        meeting=meeting,
        topic=topic,
        proposal=proposal,
        text=text,
        method=method,
        secret=secret and method == Motion.Method.VOTE,
    )
    record(
        meeting,
        MEETING_MOTION_OPENED,
        actor=actor,
        actor_label=COMMUNITY,
        public=False,
        note=text[:200],
    )
    return motion


@transaction.atomic
def cast_vote(
    motion: Motion,
    choice: str,
    *,
    participant: Participant,
    actor: Any = None,
    speaker: Participant | None = None,
) -> Motion:
    """One vote per participant, while the motion is open. The convener's staff may record
    the vote of a participant in the room; a secret vote is cast only by the participant."""
    motion = (
        Motion.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=motion.pk)
    )
    meeting = motion.meeting
    _check_voter(motion, participant, actor, speaker)
    if motion.status != Motion.Status.OPEN:
        raise Conflict(_("Voting on this motion has closed."), code="motion_closed")
    if motion.method != Motion.Method.VOTE:
        raise ActionError(
            _("This motion is decided by consensus, not by vote."), code="motion_by_consensus"
        )
    _one_of(
        choice,
        Vote.Choice.values,
        ActionError(_("Vote for, against or abstain."), code="invalid_vote_choice", field="choice"),
    )
    _check_may_vote(participant)
    _store_vote(motion, participant, choice)
    record(
        meeting,
        MEETING_VOTE_CAST,
        actor=None if motion.secret else actor,
        public=False,
        note="" if motion.secret else participant.speaker,
    )
    return motion


def _check_voter(
    motion: Motion, participant: Participant, actor: Any, speaker: Participant | None
) -> None:
    """A participant votes for themselves; staff record an open ballot of a participant."""
    if speaker is not None:
        if speaker.pk != participant.pk:
            raise ActionError(_("You can vote only for yourself."), code="not_own_vote", status=403)
    else:
        check_can_change_meeting(actor, motion.meeting)
        if motion.secret:
            raise ActionError(
                _("This is a secret vote: participants cast it on their own phones."),
                code="secret_vote",
                status=403,
            )
    if participant.meeting_id != motion.meeting_id:
        raise ActionError(
            _("That person is not a participant of this meeting."),
            code="not_a_participant",
            field="participant",
        )


def _check_may_vote(participant: Participant) -> None:
    if not participant.may_vote:
        raise ActionError(
            _("This participant attends without a vote."),
            code="participant_without_vote",
            status=403,
        )
    if not participant.signed_in:
        raise Conflict(_("Only participants who have signed in may vote."), code="not_signed_in")


def _store_vote(motion: Motion, participant: Participant, choice: str) -> None:
    """The vote, once per participant (a secret one without their name), and the count."""
    key = voter_key(motion, participant)
    if Vote.objects.filter(motion=motion, voter_key=key).exists():
        raise Conflict(
            _("This participant has already voted on this motion."), code="already_voted"
        )
    try:
        with transaction.atomic():
            Vote.objects.create(
                motion=motion,
                participant=None if motion.secret else participant,
                voter_key=key,
                choice=choice,
            )
    except IntegrityError:
        raise Conflict(
            _("This participant has already voted on this motion."), code="already_voted"
        ) from None
    counter = {"for": "votes_for", "against": "votes_against", "abstain": "votes_abstain"}[choice]
    Motion.objects.filter(pk=motion.pk).update(**{counter: F(counter) + 1})
    motion.refresh_from_db()


def _present_voters(meeting: Meeting) -> int:
    return meeting.participants.filter(signed_in_at__isnull=False, may_vote=True).count()


def vote_carried(meeting: Meeting, votes_for: int, cast: int) -> bool:
    if cast == 0:
        return False
    if meeting.pass_rule == Meeting.PassRule.TWO_THIRDS:
        return votes_for * 3 >= cast * 2
    return votes_for * 2 > cast


@transaction.atomic
def close_motion(
    actor: Any, motion: Motion, *, agreed: bool = True, now: datetime | None = None
) -> Motion:
    """Close a motion. By consensus: agreed (一致同意) or not; by vote: counted against the
    meeting's quorum rule."""
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    meeting = _changeable_meeting(actor, motion.meeting)
    if motion.status != Motion.Status.OPEN:
        raise Conflict(_("This motion is already closed."), code="motion_already_closed")
    present = _present_voters(meeting)
    if motion.method == Motion.Method.CONSENSUS:
        outcome = Motion.Outcome.ADOPTED if agreed else Motion.Outcome.REJECTED
    elif present < meeting.quorum:
        outcome = Motion.Outcome.NO_QUORUM
    elif vote_carried(meeting, motion.votes_for, motion.votes_cast):
        outcome = Motion.Outcome.ADOPTED
    else:
        outcome = Motion.Outcome.REJECTED
    motion.status = Motion.Status.CLOSED
    motion.outcome = outcome
    motion.present = present
    motion.closed_at = _now(now)
    motion.save(update_fields=["status", "outcome", "present", "closed_at"])
    record(
        meeting,
        MEETING_MOTION_CLOSED,
        actor=actor,
        actor_label=COMMUNITY,
        public=False,
        note=f"{motion.text[:120]}：{motion.get_outcome_display()}",
    )
    return motion
