"""Meetings: planned as a draft, moved, announced (提前公告), closed and their result published
(公示). Sign-in, statements, votes and resolutions in between have their own modules."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation
from consultations.actions.common import (
    _account,
    _changeable_meeting,
    _in_tree,
    _local,
    _now,
    _one_of,
    _require_status,
    _required,
)
from consultations.models import Meeting, Motion, Topic, Venue
from consultations.permissions import check_can_convene
from consultations.verbs import (
    MEETING_ANNOUNCED,
    MEETING_CLOSED,
    MEETING_PUBLISHED,
    MEETING_RESCHEDULED,
    MEETING_SCHEDULED,
    TOPIC_SCHEDULED,
)
from core.errors import ActionError, Conflict
from core.text import plain_text
from places.models import Area
from timeline.actors import COMMUNITY
from timeline.services import record


def _check_topics_fit(area: Area, topics: list[Topic]) -> None:
    for topic in topics:
        if not (_in_tree(topic.area, area) or _in_tree(area, topic.area)):
            raise ActionError(
                _("“%(title)s” belongs to another area.") % {"title": topic.title},
                code="topic_of_other_area",
                field="topics",
            )
        if not topic.is_open:
            raise Conflict(
                _("“%(title)s” is %(status)s and cannot go on an agenda.")
                % {"title": topic.title, "status": topic.get_status_display()},
                code="topic_not_schedulable",
                field="topics",
            )


# How far ahead a meeting can be planned, and how long one (with its field research) lasts.
PLANNING_HORIZON = timedelta(days=3 * 365)
LONGEST_MEETING = timedelta(days=31)


def _check_times(starts_at: datetime, ends_at: datetime | None, now: datetime) -> None:
    if starts_at <= now:
        raise ActionError(
            _("The meeting cannot start in the past."), code="meeting_in_past", field="starts_at"
        )
    if starts_at > now + PLANNING_HORIZON:
        raise ActionError(
            _("A meeting can be planned up to three years ahead."),
            code="meeting_too_far_ahead",
            field="starts_at",
        )
    if ends_at is not None and ends_at <= starts_at:
        raise ActionError(
            _("The meeting must end after it starts."),
            code="meeting_ends_before_start",
            field="ends_at",
        )
    if ends_at is not None and ends_at > starts_at + LONGEST_MEETING:
        raise ActionError(
            _("A meeting lasts at most a month."), code="meeting_too_long", field="ends_at"
        )


@transaction.atomic
def schedule_meeting(
    actor: Any,
    *,
    area: Area,
    title: str,
    form: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    venue: Venue | None = None,
    place: str = "",
    convener: Organisation | None = None,
    notice_days: int = 3,
    quorum: int = 0,
    pass_rule: str = Meeting.PassRule.MAJORITY,
    topics: Iterable[Topic] = (),
    agenda: str = "",
    materials: str = "",
    now: datetime | None = None,
) -> Meeting:
    """A draft meeting with its agenda of topics; nothing is public until the notice goes out."""
    check_can_convene(actor, area, convener)
    title = plain_text(title, "title", limit=120)
    place = plain_text(place, "place", limit=200)
    agenda = plain_text(agenda, "agenda")
    materials = plain_text(materials, "materials")
    _required(
        title, ActionError(_("Give the meeting a title."), code="title_required", field="title")
    )
    _check_rules(form, pass_rule, notice_days, quorum)
    _check_times(starts_at, ends_at, _now(now))
    _check_venue(area, venue, place)
    topic_list = list(Topic.objects.select_related("area").filter(pk__in=[t.pk for t in topics]))
    _check_topics_fit(area, topic_list)
    meeting = Meeting.objects.create(
        area=area,
        title=title,
        form=form,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        place=place,
        convener=convener,
        convened_by=_account(actor),
        notice_days=notice_days,
        quorum=quorum,
        pass_rule=pass_rule,
        agenda=agenda,
        materials=materials,
    )
    meeting.topics.set(topic_list)
    record(meeting, MEETING_SCHEDULED, actor=actor, actor_label=COMMUNITY, public=False, note=title)
    return meeting


def _check_rules(form: str, pass_rule: str, notice_days: int, quorum: int) -> None:
    _one_of(
        form,
        Meeting.Form.values,
        ActionError(_("Choose a form of meeting."), code="invalid_meeting_form", field="form"),
    )
    _one_of(
        pass_rule,
        Meeting.PassRule.values,
        ActionError(
            _("Choose how a vote is carried."), code="invalid_pass_rule", field="pass_rule"
        ),
    )
    if notice_days < 0 or quorum < 0:
        raise ActionError(
            _("Numbers of days and people cannot be negative."),
            code="negative_quorum",
            field="quorum",
        )


def _check_venue(area: Area, venue: Venue | None, place: str) -> None:
    if (
        venue is not None
        and not _in_tree(venue.community, area)
        and not _in_tree(area, venue.community)
    ):
        raise ActionError(
            _("That venue belongs to another community."),
            code="venue_of_other_community",
            field="venue",
        )
    if venue is None and not place:
        raise ActionError(
            _("Choose a venue or say where the meeting is held."),
            code="venue_required",
            field="venue",
        )


def _check_notice_period(meeting: Meeting, starts_at: datetime, now: datetime) -> None:
    """The notice is public at least `notice_days` before the meeting starts."""
    if starts_at - now < timedelta(days=meeting.notice_days):
        raise ActionError(
            _("The notice must go out %(days)s days before the meeting; move the meeting later.")
            % {"days": meeting.notice_days},
            code="notice_too_late",
            field="starts_at",
        )


@transaction.atomic
def reschedule_meeting(
    actor: Any,
    meeting: Meeting,
    *,
    starts_at: datetime,
    ends_at: datetime | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Move a meeting that has not begun. Once announced, the new date must still leave the
    notice period, and the public notice shows the new date."""
    meeting = _changeable_meeting(
        actor,
        meeting,
        (Meeting.Status.DRAFT, Meeting.Status.ANNOUNCED),
        Conflict(_("A meeting that has begun cannot be moved."), code="meeting_already_begun"),
    )
    now = _now(now)
    _check_times(starts_at, ends_at, now)
    if meeting.status == Meeting.Status.ANNOUNCED:
        _check_notice_period(meeting, starts_at, now)
    old = meeting.starts_at
    meeting.starts_at = starts_at
    meeting.ends_at = ends_at
    meeting.save(update_fields=["starts_at", "ends_at", "updated_at"])
    record(
        meeting,
        MEETING_RESCHEDULED,
        actor=actor,
        actor_label=COMMUNITY,
        public=meeting.status == Meeting.Status.ANNOUNCED,
        note=f"{_local(old)} → {_local(starts_at)}",
    )
    return meeting


@transaction.atomic
def publish_notice(actor: Any, meeting: Meeting, *, now: datetime | None = None) -> Meeting:
    """提前公告: the notice with agenda and materials goes on the community's public page,
    at least `notice_days` before the meeting."""
    meeting = _changeable_meeting(actor, meeting)
    if meeting.status != Meeting.Status.DRAFT:
        raise Conflict(
            _("The notice of this meeting is already out."), code="notice_already_published"
        )
    now = _now(now)
    if meeting.starts_at <= now:
        raise ActionError(
            _("This meeting is in the past; set a new date before announcing it."),
            code="meeting_in_past",
            field="starts_at",
        )
    _check_notice_period(meeting, meeting.starts_at, now)
    topics = list(meeting.topics.select_for_update())
    if not topics:
        raise ActionError(
            _("Put at least one topic on the agenda."), code="agenda_empty", field="topics"
        )
    Topic.objects.filter(
        pk__in=[t.pk for t in topics], status__in=(Topic.Status.PROPOSED, Topic.Status.ACCEPTED)
    ).update(status=Topic.Status.SCHEDULED, updated_at=now)
    meeting.status = Meeting.Status.ANNOUNCED
    meeting.announced_at = now
    meeting.save(update_fields=["status", "announced_at", "updated_at"])
    record(meeting, MEETING_ANNOUNCED, actor=actor, actor_label=COMMUNITY, note=meeting.title)
    for topic in topics:
        record(topic, TOPIC_SCHEDULED, actor=actor, actor_label=COMMUNITY, note=meeting.title)
    return meeting


@transaction.atomic
def close_meeting(actor: Any, meeting: Meeting, *, now: datetime | None = None) -> Meeting:
    meeting = _changeable_meeting(actor, meeting)
    if meeting.status == Meeting.Status.CLOSED:
        return meeting
    _require_status(
        meeting,
        (Meeting.Status.HELD,),
        Conflict(_("Only a meeting in session can be closed."), code="meeting_not_in_session"),
    )
    if meeting.motions.filter(status=Motion.Status.OPEN).exists():
        raise Conflict(
            _("Close every open motion before closing the meeting."), code="motions_still_open"
        )
    now = _now(now)
    meeting.status = Meeting.Status.CLOSED
    meeting.closed_at = now
    meeting.ends_at = meeting.ends_at or now
    meeting.save(update_fields=["status", "closed_at", "ends_at", "updated_at"])
    meeting.topics.filter(status=Topic.Status.SCHEDULED).update(
        status=Topic.Status.DELIBERATED, updated_at=now
    )
    record(meeting, MEETING_CLOSED, actor=actor, actor_label=COMMUNITY, public=False)
    return meeting


@transaction.atomic
def publish_result(
    actor: Any, meeting: Meeting, *, summary: str = "", now: datetime | None = None
) -> Meeting:
    """公示: the result notice goes on the public page, with the resolutions."""
    meeting = _changeable_meeting(actor, meeting)
    if meeting.status == Meeting.Status.PUBLISHED:
        return meeting
    _require_status(
        meeting,
        (Meeting.Status.CLOSED,),
        Conflict(_("Close the meeting before publishing its result."), code="meeting_not_closed"),
    )
    summary = plain_text(summary, "summary")
    if not summary and not meeting.resolutions.exists():
        raise ActionError(
            _("Write the result notice: there are no resolutions to publish."),
            code="result_summary_required",
            field="summary",
        )
    meeting.status = Meeting.Status.PUBLISHED
    meeting.published_at = _now(now)
    if summary:
        meeting.result_summary = summary
    meeting.save(update_fields=["status", "published_at", "result_summary", "updated_at"])
    record(meeting, MEETING_PUBLISHED, actor=actor, actor_label=COMMUNITY, note=meeting.title)
    return meeting
