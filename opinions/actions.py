"""State changes of public-opinion reports (报送 → 采用 → 转办 → 答复 → 评价).

Each function checks who acts, changes state inside one transaction (locking the report where
the office and the member can race) and records a timeline event on the report. Events are
internal (not public): a report is the CPPCC's own paper. Taking a report to a thematic topic
calls the consultations app's own action.
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from concerns.models import Issue
from concerns.permissions import can_view_issue
from consultations import actions as consultation_actions
from consultations.models import Topic
from consultations.permissions import visible_topics
from core.errors import ActionError, Conflict
from core.text import plain_text
from opinions import permissions
from opinions.models import REPLY_WORKING_DAYS, Forwarding, Report, add_working_days, today
from opinions.verbs import (
    OPINION_ADOPTED,
    OPINION_FORWARDED,
    OPINION_MERGED,
    OPINION_RATED,
    OPINION_REPLIED,
    OPINION_REPLY_OVERDUE,
    OPINION_RETURNED,
    OPINION_REVISED,
    OPINION_SUBMITTED,
    OPINION_TOPIC,
)
from places.models import Area
from timeline.services import record

CPPCC = "政协"
OFFICE = "政协办公室"
DEPARTMENT = "职能部门"


def _text(value: str | None, field: str, limit: int, *, required: str | None = None) -> str:
    return plain_text(value, field, limit=limit, required=required or False)


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("district", "area")
        .get(pk=report.pk)
    )


def _content(
    *, title: str, observation: str, affected: str, suggestions: str, place: str
) -> dict[str, str]:
    return {
        "title": _text(title, "title", 120, required=_("Give the report a title.")),
        "observation": _text(
            observation, "observation", 4000, required=_("Say what you saw and where.")
        ),
        "affected": _text(affected, "affected", 1000, required=_("Say whom it affects.")),
        "suggestions": _text(
            suggestions, "suggestions", 4000, required=_("Give at least one suggestion.")
        ),
        "place": _text(place, "place", 120),
    }


@transaction.atomic
def submit_report(
    actor: Any,
    *,
    area: Area,
    title: str,
    observation: str,
    affected: str,
    suggestions: str,
    place: str = "",
    issue: Issue | None = None,
    now: datetime | None = None,
) -> Report:
    """A CPPCC member reports what they saw in an area of their district, optionally starting
    from an issue they can see."""
    district = permissions.check_submit_in(actor, area)
    content = _content(
        title=title, observation=observation, affected=affected, suggestions=suggestions,
        place=place,
    )  # fmt: skip
    if issue is not None:
        if not can_view_issue(actor, issue):
            raise ActionError(_("Unknown issue."), code="unknown_issue", field="issue")
        if not issue.community.path.startswith(area.path) and not area.path.startswith(
            issue.community.path
        ):
            raise ActionError(
                _("The issue lies outside the area reported on."),
                code="issue_outside_report_area",
                field="issue",
            )
    now = now or timezone.now()
    report = Report.objects.create(
        member=actor,
        district=district,
        area=area,
        issue=issue,
        submitted_at=now,
        created_at=now,
        **content,
    )
    record(report, OPINION_SUBMITTED, actor=actor, actor_label=CPPCC, public=False)
    return report


@transaction.atomic
def revise_report(
    actor: Any,
    report: Report,
    *,
    title: str,
    observation: str,
    affected: str,
    suggestions: str,
    place: str = "",
    now: datetime | None = None,
) -> Report:
    """The member corrects the report before the office has decided, or adds the detail the
    office asked for; a returned report goes back to the office."""
    permissions.check(actor, report, permissions.REVISE)
    report = _locked(report)
    if not report.can_revise():
        raise Conflict(
            _("Only a report waiting for review or returned can be revised."),
            code="report_not_revisable",
        )
    content = _content(
        title=title, observation=observation, affected=affected, suggestions=suggestions,
        place=place,
    )  # fmt: skip
    for key, value in content.items():
        setattr(report, key, value)
    resubmitted = report.status == Report.Status.RETURNED
    report.status = Report.Status.SUBMITTED
    if resubmitted:
        report.submitted_at = now or timezone.now()
    report.save()
    record(report, OPINION_REVISED, actor=actor, actor_label=CPPCC, public=False)
    return report


@transaction.atomic
def adopt_report(
    actor: Any, report: Report, *, note: str = "", now: datetime | None = None
) -> Report:
    """采用: the office takes the report up."""
    permissions.check(actor, report, permissions.REVIEW)
    report = _locked(report)
    if report.is_adopted:
        return report
    if not report.can_review():
        raise Conflict(
            _("Only a report waiting for review can be adopted."), code="report_not_in_review"
        )
    report.status = Report.Status.ADOPTED
    report.adopted_at = now or timezone.now()
    report.review_note = _text(note, "note", 2000)
    report.save(update_fields=["status", "adopted_at", "review_note", "updated_at"])
    record(
        report, OPINION_ADOPTED, actor=actor, actor_label=OFFICE, note=report.review_note,
        public=False,
    )  # fmt: skip
    return report


@transaction.atomic
def return_report(actor: Any, report: Report, *, note: str) -> Report:
    """退回补充: the office asks the member for more detail, saying what is missing."""
    permissions.check(actor, report, permissions.REVIEW)
    report = _locked(report)
    note = _text(note, "note", 2000, required=_("Say what the member should add."))
    if not report.can_review():
        raise Conflict(
            _("Only a report waiting for review can be returned."), code="report_not_in_review"
        )
    report.status = Report.Status.RETURNED
    report.review_note = note
    report.save(update_fields=["status", "review_note", "updated_at"])
    record(report, OPINION_RETURNED, actor=actor, actor_label=OFFICE, note=note, public=False)
    return report


@transaction.atomic
def merge_report(actor: Any, report: Report, *, into: Report, note: str = "") -> Report:
    """合并: a report on the same matter as another is kept as part of that one."""
    permissions.check(actor, report, permissions.REVIEW)
    permissions.check(actor, into, permissions.REVIEW)
    if into.pk == report.pk:
        raise ActionError(
            _("A report cannot be merged into itself."), code="merge_into_itself", field="into"
        )
    first, second = sorted([report.pk, into.pk])
    locked = {
        r.pk: r
        for r in Report.objects.select_for_update(of=("self",)).filter(pk__in=[first, second])
    }
    report, into = locked[report.pk], locked[into.pk]
    if not report.can_review():
        raise Conflict(
            _("Only a report waiting for review can be merged."), code="report_not_in_review"
        )
    if into.status in (Report.Status.MERGED, Report.Status.RETURNED):
        raise Conflict(
            _("Merge into a report that is kept."), code="merge_target_not_kept", field="into"
        )
    if into.district_id != report.district_id:
        raise ActionError(
            _("Both reports must be of the same district."),
            code="report_of_other_district",
            field="into",
        )
    report.status = Report.Status.MERGED
    report.merged_into = into
    report.review_note = _text(note, "note", 2000)
    report.save(update_fields=["status", "merged_into", "review_note", "updated_at"])
    record(
        report, OPINION_MERGED, actor=actor, actor_label=OFFICE,
        note=_("Merged into “%(title)s”.") % {"title": into.title}, public=False,
        data={"into": into.pk},
    )  # fmt: skip
    return report


def default_due_on(now: datetime | None = None) -> date:
    return add_working_days(today(now), REPLY_WORKING_DAYS)


@transaction.atomic
def forward_report(
    actor: Any,
    report: Report,
    *,
    organisations: Iterable[Organisation],
    due_on: date | None = None,
    now: datetime | None = None,
) -> list[Forwarding]:
    """转办: send an adopted report to the departments concerned, each to reply in writing by
    `due_on` (15 working days by default)."""
    permissions.check(actor, report, permissions.REVIEW)
    report = _locked(report)
    if not report.can_forward():
        raise Conflict(_("Adopt the report before forwarding it."), code="report_not_adopted")
    now = now or timezone.now()
    due_on = due_on or default_due_on(now)
    if due_on <= today(now):
        raise ActionError(
            _("Give the departments at least one day to reply."),
            code="reply_period_too_short",
            field="due_on",
        )
    chosen = list({o.pk: o for o in organisations}.values())
    if not chosen:
        raise ActionError(
            _("Choose at least one department."), code="department_required", field="organisations"
        )
    allowed = set(permissions.departments_for(report.district).values_list("pk", flat=True))
    for organisation in chosen:
        if organisation.pk not in allowed:
            raise ActionError(
                _("%(name)s is not a department serving this district.")
                % {"name": organisation.name},
                code="department_outside_district",
                field="organisations",
            )
    already = set(report.forwardings.values_list("organisation_id", flat=True))
    repeated = [o for o in chosen if o.pk in already]
    if repeated:
        raise Conflict(
            _("Already forwarded to %(name)s.") % {"name": repeated[0].name},
            code="already_forwarded",
            field="organisations",
        )
    made = [
        Forwarding.objects.create(
            report=report, organisation=o, due_on=due_on, forwarded_at=now, forwarded_by=actor
        )
        for o in chosen
    ]
    report.status = Report.Status.FORWARDED
    report.save(update_fields=["status", "updated_at"])
    for forwarding in made:
        record(
            report, OPINION_FORWARDED, actor=actor, actor_label=OFFICE,
            note=_("%(name)s, reply by %(date)s.")
            % {"name": forwarding.organisation.name, "date": due_on.isoformat()},
            public=False, data={"forwarding": forwarding.pk},
        )  # fmt: skip
    return made


@transaction.atomic
def reply_to_report(
    actor: Any, forwarding: Forwarding, *, text: str, now: datetime | None = None
) -> Forwarding:
    """办理答复: the department's written reply. Once every department has replied, the
    report is replied."""
    permissions.check_reply(actor, forwarding)
    report = _locked(forwarding.report)
    forwarding = (
        Forwarding.objects.select_for_update().select_related("organisation").get(pk=forwarding.pk)
    )
    text = _text(text, "text", 4000, required=_("Write the reply."))
    if not forwarding.can_reply():
        raise Conflict(_("This department has already replied."), code="already_replied")
    forwarding.status = Forwarding.Status.REPLIED
    forwarding.reply = text
    forwarding.replied_at = now or timezone.now()
    forwarding.replied_by = actor
    forwarding.save(update_fields=["status", "reply", "replied_at", "replied_by"])
    if not report.forwardings.filter(status=Forwarding.Status.PENDING).exists():
        report.status = Report.Status.REPLIED
        report.save(update_fields=["status", "updated_at"])
    record(
        report, OPINION_REPLIED, actor=actor, actor_label=DEPARTMENT,
        note=forwarding.organisation.name, public=False, data={"forwarding": forwarding.pk},
    )  # fmt: skip
    return forwarding


@transaction.atomic
def rate_reply(
    actor: Any,
    forwarding: Forwarding,
    *,
    rating: str,
    comment: str = "",
    now: datetime | None = None,
) -> Forwarding:
    """The member rates a department's reply: 满意 / 基本满意 / 不满意, once."""
    permissions.check_rate(actor, forwarding)
    forwarding = (
        Forwarding.objects.select_for_update()
        .select_related("organisation", "report")
        .get(pk=forwarding.pk)
    )
    if rating not in Forwarding.Rating.values:
        raise ActionError(_("Choose a rating."), code="invalid_reply_rating", field="rating")
    comment = _text(comment, "comment", 1000)
    if not forwarding.can_rate():
        raise Conflict(_("Only a reply not yet rated can be rated."), code="reply_already_rated")
    forwarding.rating = rating
    forwarding.rating_comment = comment
    forwarding.rated_at = now or timezone.now()
    forwarding.save(update_fields=["rating", "rating_comment", "rated_at"])
    record(
        forwarding.report, OPINION_RATED, actor=actor, actor_label=CPPCC,
        note=f"{forwarding.organisation.name}: {forwarding.get_rating_display()}", public=False,
        data={"forwarding": forwarding.pk},
    )  # fmt: skip
    return forwarding


@transaction.atomic
def take_to_topic(
    actor: Any,
    report: Report,
    *,
    topic: Topic | None = None,
    title: str = "",
    description: str = "",
) -> Topic:
    """专题协商调研: an adopted report becomes a topic of the district's CPPCC committee
    (made through consultations' own action), or is linked to a topic already set."""
    permissions.check(actor, report, permissions.REVIEW)
    report = _locked(report)
    if not report.is_adopted:
        raise Conflict(
            _("Adopt the report before taking it to a consultation."), code="report_not_adopted"
        )
    if report.topic_id is not None:
        raise Conflict(_("This report is already on a topic."), code="report_already_on_topic")
    if topic is not None:
        if not visible_topics(actor).filter(pk=topic.pk).exists():
            raise ActionError(_("Unknown topic."), code="unknown_topic", field="topic")
        if not topic.area.path.startswith(report.district.path):
            raise ActionError(
                _("The topic lies outside the report's district."),
                code="topic_outside_district",
                field="topic",
            )
    else:
        topic = consultation_actions.create_topic(
            actor,
            title=title or report.title,
            area=report.district,
            description=description or report.suggestions,
        )
    report.topic = topic
    report.save(update_fields=["topic", "updated_at"])
    record(
        report, OPINION_TOPIC, actor=actor, actor_label=OFFICE, note=topic.title,
        public=False, data={"topic": topic.pk},
    )  # fmt: skip
    return topic


def remind_overdue(now: datetime | None = None) -> int:
    """Record one `opinion.reply_overdue` event for each reply past its date, once (the
    forwarding is claimed by setting `reminded_at`, so parallel runs never repeat one)."""
    now = now or timezone.now()
    count = 0
    for pk in list(
        Forwarding.objects.overdue(now)
        .filter(reminded_at__isnull=True)
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            claimed = Forwarding.objects.filter(pk=pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            forwarding = Forwarding.objects.select_related("report", "organisation").get(pk=pk)
            record(
                forwarding.report, OPINION_REPLY_OVERDUE, actor_label=OFFICE,
                note=_("%(name)s, reply was due %(date)s.")
                % {"name": forwarding.organisation.name, "date": forwarding.due_on.isoformat()},
                public=False, data={"forwarding": pk},
            )  # fmt: skip
            count += 1
    return count
