"""JSON API of 社情民意: reports, the office's review and forwarding, departments' replies and
the member's ratings. Every change goes through opinions.actions."""

from collections.abc import Callable
from datetime import date, datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from typing_extensions import TypeAliasType

from accounts.api_auth import staff_get, staff_post
from accounts.models import Organisation
from concerns.permissions import visible_issues
from consultations.models import Topic
from core.errors import ActionError
from core.ids import Id
from opinions import actions, permissions
from opinions.models import Forwarding, Report
from places.models import Area

router = Router(tags=["public-opinion reports"])

ReportStatus = TypeAliasType("ReportStatus", Report.Status)
ReplyRating = TypeAliasType("ReplyRating", Forwarding.Rating)


class OpinionForwardingOut(Schema):
    id: int
    organisation: str = Field(..., alias="organisation.name")
    organisation_id: int
    status: str
    forwarded_at: datetime
    due_on: date
    overdue: bool = Field(..., alias="is_overdue")
    reply: str
    replied_at: datetime | None
    replied_on_time: bool
    rating: str
    rated_at: datetime | None


class OpinionReportOut(Schema):
    id: int
    title: str
    member: str = Field(..., alias="member.display_name")
    district: str = Field(..., alias="district.code")
    area: str = Field(..., alias="area.code")
    place: str
    observation: str
    affected: str
    suggestions: str
    issue_id: int | None
    status: ReportStatus
    review_note: str
    merged_into_id: int | None
    topic_id: int | None
    submitted_at: datetime
    adopted_at: datetime | None
    forwardings: list[OpinionForwardingOut]

    @staticmethod
    def resolve_forwardings(obj: Report) -> list[Forwarding]:
        return list(obj.forwardings.all())


class OpinionReportIn(Schema):
    area: str = Field(..., description="code of the area reported on, in the member's district")
    place: str = ""
    title: str
    observation: str
    affected: str
    suggestions: str
    issue: int | None = Field(None, description="id of the issue the report starts from")


class OpinionReviseIn(Schema):
    place: str = ""
    title: str
    observation: str
    affected: str
    suggestions: str


class OpinionNoteIn(Schema):
    note: str = ""


class OpinionMergeIn(Schema):
    into: int = Field(..., description="id of the report kept")
    note: str = ""


class OpinionForwardIn(Schema):
    organisations: list[int] = Field(..., description="ids of departments serving the district")
    due_on: date | None = Field(None, description="reply due; 15 working days if left out")


class OpinionTopicIn(Schema):
    topic: int | None = Field(None, description="id of a topic already set, to link")
    title: str = ""


class OpinionTopicOut(Schema):
    id: int
    title: str


class OpinionReplyIn(Schema):
    text: str


class OpinionRatingIn(Schema):
    rating: ReplyRating
    comment: str = ""


def _report(request: HttpRequest, pk: int, action: str = permissions.VIEW) -> Report:
    return permissions.get_report_for_user(request.user, pk, action)


def _fresh(report: Report) -> Report:
    return (
        Report.objects.select_related("member", "district", "area")
        .prefetch_related("forwardings__organisation")
        .get(pk=report.pk)
    )


def _on_report(step: str, summary: str, out: type[Schema] = OpinionReportOut) -> Callable:
    """A step on one report: 403 to whoever may not take it, 409 when the report is not at it."""
    return staff_post(router, f"/opinion-reports/{{report_id}}/{step}", out, summary, 403, 409)


def _on_forwarding(step: str, summary: str) -> Callable:
    """A step on one forwarding: the department's reply or the member's rating of it."""
    return staff_post(
        router,
        f"/opinion-forwardings/{{forwarding_id}}/{step}",
        OpinionForwardingOut,
        summary,
        403,
        409,
    )


@staff_get(router, "/opinion-reports", list[OpinionReportOut], "List reports")
@paginate
def list_reports(
    request: HttpRequest, status: str | None = None, mine: bool = False
) -> QuerySet[Report]:
    """Reports the caller may see; `status` is one of the statuses or `overdue` (a reply is
    past its date); `mine` keeps the caller's own."""
    reports = permissions.visible_reports(request.user)
    if mine:
        reports = reports.filter(member_id=request.user.pk)
    if status == "overdue":
        reports = reports.filter(pk__in=Forwarding.objects.overdue().values("report_id"))
    elif status:
        if status not in Report.Status.values:
            raise ActionError(_("Unknown status."), code="unknown_status", field="status")
        reports = reports.filter(status=status)
    return (
        reports.select_related("member", "district", "area")
        .prefetch_related("forwardings__organisation")
        .order_by("-submitted_at", "-id")
    )


@staff_get(router, "/opinion-reports/{report_id}", OpinionReportOut, "One report")
def get_report(request: HttpRequest, report_id: Id) -> Report:
    return _fresh(_report(request, report_id))


@staff_post(
    router,
    "/opinion-reports",
    OpinionReportOut,
    "Submit a report (CPPCC member)",
    403,
    404,
    created=True,
)
def submit(request: HttpRequest, payload: OpinionReportIn) -> Status:
    area = Area.objects.filter(code=payload.area).first()
    if area is None:
        raise ActionError(_("Unknown area."), code="unknown_area", field="area")
    issue = None
    if payload.issue is not None:
        issue = visible_issues(request.user).filter(pk=payload.issue).first()
        if issue is None:
            raise ActionError(_("Unknown issue."), code="unknown_issue", field="issue")
    written = payload.dict(exclude={"area", "issue"})
    report = actions.submit_report(request.user, area=area, issue=issue, **written)
    return Status(201, _fresh(report))


@_on_report("revision", "Revise a report (its member)")
def revise(request: HttpRequest, report_id: Id, payload: OpinionReviseIn) -> Report:
    report = _report(request, report_id)
    actions.revise_report(request.user, report, **payload.dict())
    return _fresh(report)


@_on_report("adopt", "Adopt (采用)")
def adopt(request: HttpRequest, report_id: Id, payload: OpinionNoteIn) -> Report:
    report = _report(request, report_id)
    actions.adopt_report(request.user, report, note=payload.note)
    return _fresh(report)


@_on_report("return", "Return for more detail")
def return_report(request: HttpRequest, report_id: Id, payload: OpinionNoteIn) -> Report:
    report = _report(request, report_id)
    actions.return_report(request.user, report, note=payload.note)
    return _fresh(report)


@_on_report("merge", "Merge into a similar report")
def merge(request: HttpRequest, report_id: Id, payload: OpinionMergeIn) -> Report:
    report = _report(request, report_id)
    into = permissions.visible_reports(request.user).filter(pk=payload.into).first()
    if into is None:
        raise ActionError(_("Unknown report."), code="unknown_report", field="into")
    actions.merge_report(request.user, report, into=into, note=payload.note)
    return _fresh(report)


@_on_report("forward", "Forward to departments (转办)")
def forward(request: HttpRequest, report_id: Id, payload: OpinionForwardIn) -> Report:
    report = _report(request, report_id)
    organisations = list(Organisation.objects.filter(pk__in=payload.organisations))
    if len(organisations) != len(set(payload.organisations)):
        raise ActionError(
            _("Unknown organisation."), code="unknown_organisation", field="organisations"
        )
    actions.forward_report(request.user, report, organisations=organisations, due_on=payload.due_on)
    return _fresh(report)


@_on_report("topic", "Take up as a thematic topic", OpinionTopicOut)
def to_topic(request: HttpRequest, report_id: Id, payload: OpinionTopicIn) -> Topic:
    report = _report(request, report_id)
    topic = None
    if payload.topic is not None:
        topic = Topic.objects.filter(pk=payload.topic).first()
        if topic is None:
            raise ActionError(_("Unknown topic."), code="unknown_topic", field="topic")
    return actions.take_to_topic(request.user, report, topic=topic, title=payload.title)


@_on_forwarding("reply", "A department's written reply")
def reply(request: HttpRequest, forwarding_id: Id, payload: OpinionReplyIn) -> Forwarding:
    forwarding = permissions.get_forwarding_for_user(request.user, forwarding_id)
    return actions.reply_to_report(request.user, forwarding, text=payload.text)


@_on_forwarding("rating", "The member rates a reply")
def rate(request: HttpRequest, forwarding_id: Id, payload: OpinionRatingIn) -> Forwarding:
    forwarding = permissions.get_forwarding_for_user(request.user, forwarding_id)
    return actions.rate_reply(
        request.user, forwarding, rating=payload.rating, comment=payload.comment
    )
