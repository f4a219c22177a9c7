"""协商成果: what a meeting resolved about a topic, by whom and by when."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.pickers import check_all_serve
from consultations.actions.common import (
    _account,
    _changeable_meeting,
    _now,
    _required,
    _topic_on_agenda,
)
from consultations.models import Meeting, Motion, Resolution, Topic
from consultations.verbs import RESOLUTION_RECORDED, TOPIC_DECIDED
from core.errors import ActionError, Conflict
from core.text import plain_text
from timeline.actors import COMMUNITY
from timeline.services import record


@transaction.atomic
def record_resolution(
    actor: Any,
    meeting: Meeting,
    *,
    topic: Topic | None,
    text: str,
    organisations: Iterable[Organisation] = (),
    target_date: date | None = None,
    motion: Motion | None = None,
    now: datetime | None = None,
) -> Resolution:
    """协商成果: what will be done about a topic, by whom and by when."""
    meeting = _changeable_meeting(
        actor,
        meeting,
        (Meeting.Status.HELD, Meeting.Status.CLOSED),
        Conflict(
            _("Resolutions are recorded at the meeting, before its result is published."),
            code="resolutions_not_open",
        ),
    )
    if topic is None:
        raise ActionError(
            _("Name the topic this resolution settles."),
            code="resolution_topic_required",
            field="topic",
        )
    _topic_on_agenda(meeting, topic)
    text = plain_text(text, "text", limit=4000)
    _required(
        text,
        ActionError(_("Write what was agreed."), code="resolution_text_required", field="text"),
    )
    if target_date is not None and target_date < timezone.localdate(_now(now)):
        raise ActionError(
            _("The target date cannot be in the past."),
            code="target_date_in_past",
            field="target_date",
        )
    organisations = list(organisations)
    check_all_serve(organisations, meeting.area, "organisations")
    _check_motion(meeting, motion)
    resolution = Resolution.objects.create(
        meeting=meeting,
        topic=topic,
        motion=motion,
        text=text,
        target_date=target_date,
        created_by=_account(actor),
    )
    resolution.responsible_organisations.set(organisations)
    Topic.objects.filter(pk=topic.pk).exclude(status=Topic.Status.DECIDED).update(
        status=Topic.Status.DECIDED, updated_at=timezone.now()
    )
    record(resolution, RESOLUTION_RECORDED, actor=actor, actor_label=COMMUNITY, note=text[:200])
    record(topic, TOPIC_DECIDED, actor=actor, actor_label=COMMUNITY, note=text[:200])
    return resolution


def _check_motion(meeting: Meeting, motion: Motion | None) -> None:
    """A resolution made from a motion: one adopted at this meeting."""
    if motion is None:
        return
    if motion.meeting_id != meeting.pk:
        raise ActionError(
            _("That motion belongs to another meeting."),
            code="motion_of_other_meeting",
            field="motion",
        )
    if motion.outcome != Motion.Outcome.ADOPTED:
        raise Conflict(
            _("Only an adopted motion makes a resolution."),
            code="motion_not_adopted",
            field="motion",
        )
