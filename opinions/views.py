"""Pages of 社情民意: the list, writing and revising a report, the office's review, the
departments' replies, the member's ratings and the member's record (履职). Each view parses
input, calls one action and renders."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import scope_of
from concerns.models import Issue
from concerns.permissions import visible_issues
from core.errors import ActionError
from core.steps import ObjectPage
from opinions import actions, permissions
from opinions.forms import (
    ForwardForm,
    MergeForm,
    NoteForm,
    RatingForm,
    ReplyForm,
    ReportForm,
    TopicForm,
)
from opinions.models import Forwarding, Report, today
from places.models import Area
from timeline.services import events_for


def _with_forwardings(reports: Any) -> Any:
    return reports.select_related("member", "area", "district").prefetch_related(
        Prefetch("forwardings", queryset=Forwarding.objects.select_related("organisation"))
    )


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    reports = permissions.visible_reports(request.user)
    status = request.GET.get("status", "")
    if status == "mine":
        reports = reports.filter(member_id=request.user.pk)
    elif status == "overdue":
        overdue = Forwarding.objects.overdue().values("report_id")
        reports = reports.filter(pk__in=overdue)
    elif status in Report.Status.values:
        reports = reports.filter(status=status)
    else:
        status = ""
    page = Paginator(_with_forwardings(reports).order_by("-submitted_at", "-id"), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "opinions/list.html",
        {
            "page": page,
            "status": status,
            "statuses": Report.Status.choices,
            "is_member": permissions.is_member(request.user),
            "is_office": permissions.is_office_anywhere(request.user),
            "awaiting_reply": permissions.owed_replies(request.user, 50),
            "today": today(),
        },
    )


def _prefill(request: HttpRequest) -> tuple[dict[str, Any], Issue | None]:
    """Initial values from ?issue= or ?area= (a link on an issue page or a dashboard)."""
    initial: dict[str, Any] = {}
    issue = None
    issue_id = request.GET.get("issue") or request.POST.get("issue") or ""
    if issue_id.isdigit() and len(issue_id) < 19:
        issue = (
            visible_issues(request.user)
            .select_related("community")
            .filter(pk=int(issue_id))
            .first()
        )
        if issue is not None:
            initial.update(area=issue.community, title=issue.title)
    code = request.GET.get("area", "")
    if code and "area" not in initial:
        area = Area.objects.filter(code=code).first()
        if area is not None:
            initial["area"] = area
    return initial, issue


def _written(
    request: HttpRequest,
    form: ReportForm,
    write: Callable[[dict[str, Any]], Report],
    done: str,
    *,
    issue: Issue | None,
    report: Report | None,
) -> HttpResponse:
    """The report form: a valid post is written by `write`, anything else shows the form again
    (400 after a post, with the action's refusal)."""
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            written = write(form.cleaned_data)
        except ActionError as exc:
            error = exc.message
        else:
            messages.success(request, done)
            return redirect("opinions:report", pk=written.pk)
    return render(
        request,
        "opinions/form.html",
        {"form": form, "issue": issue, "error": error, "report": report},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def new_report(request: HttpRequest) -> HttpResponse:
    if not permissions.is_member(request.user):
        raise PermissionDenied
    initial, issue = _prefill(request)
    return _written(
        request,
        ReportForm(request.POST or None, user=request.user, initial=initial),
        lambda data: actions.submit_report(request.user, issue=issue, **data),
        _("Report submitted to the CPPCC office."),
        issue=issue,
        report=None,
    )


@login_required
def edit_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = permissions.get_report_for_user(request.user, pk, permissions.REVISE)
    if not report.can_revise():
        raise PermissionDenied
    initial = {name: getattr(report, name) for name in ReportForm.base_fields}
    form = ReportForm(request.POST or None, user=request.user, initial=initial)
    # The place of a report stays where it was filed.
    form.fields["area"].disabled = True

    def revise(data: dict[str, Any]) -> Report:
        fields = {name: value for name, value in data.items() if name != "area"}
        return actions.revise_report(request.user, report, **fields)

    return _written(
        request,
        form,
        revise,
        _("Report revised and sent to the CPPCC office."),
        issue=report.issue,
        report=report,
    )


def _context(request: HttpRequest, report: Report, **extra: Any) -> dict[str, Any]:
    user = request.user
    office = permissions.is_office(user, report)
    author = permissions.is_author(user, report)
    scope = scope_of(user)
    forwardings = list(report.forwardings.select_related("organisation", "replied_by"))
    for f in forwardings:
        f.mine = scope.is_admin or f.organisation_id in scope.organisation_ids
    context: dict[str, Any] = {
        "report": report,
        "forwardings": forwardings,
        "merged": list(report.merged_reports.select_related("member")),
        "is_office": office,
        "is_author": author,
        "events": events_for([report]).select_related("actor"),
        "today": today(),
        "reply_form": ReplyForm(),
        "rating_form": RatingForm(),
    }
    if office:
        context.setdefault("note_form", NoteForm())
        context.setdefault("merge_form", MergeForm(report=report))
        context.setdefault(
            "forward_form",
            ForwardForm(report=report, initial={"due_on": actions.default_due_on()}),
        )
        context.setdefault("topic_form", TopicForm(report=report, user=user))
    context.update(extra)
    return context


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = permissions.get_report_for_user(request.user, pk)
    return render(request, "opinions/report.html", _context(request, report))


def _page(request: HttpRequest, report: Report) -> ObjectPage:
    return ObjectPage.of(request, report, "opinions/report.html", _context, "opinions:report")


def _reviewed(request: HttpRequest, pk: int, act: Callable[..., Any], done: str) -> HttpResponse:
    """The office's step that takes only a note (adopt, return); a note it cannot read is left
    out rather than refused."""
    report = permissions.get_report_for_user(request.user, pk, permissions.REVIEW)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _page(request, report).run(
        lambda: act(request.user, report, note=note), done, note_form=form
    )


@login_required
@require_POST
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    return _reviewed(request, pk, actions.adopt_report, _("Report adopted."))


@login_required
@require_POST
def return_for_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _reviewed(request, pk, actions.return_report, _("Report returned to the member."))


def _office_step(
    request: HttpRequest,
    pk: int,
    act: Callable[..., Any],
    done: str,
    name: str,
    form: Callable[[Report], Any],
) -> HttpResponse:
    """The office's step on a report with a form of its own (merge, forward, take to a topic)."""
    report = permissions.get_report_for_user(request.user, pk, permissions.REVIEW)
    return _page(request, report).step(
        lambda data: act(request.user, report, **data), done, form(report), name
    )


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    return _office_step(
        request,
        pk,
        actions.merge_report,
        _("Report merged."),
        "merge_form",
        lambda report: MergeForm(request.POST, report=report),
    )


@login_required
@require_POST
def forward(request: HttpRequest, pk: int) -> HttpResponse:
    return _office_step(
        request,
        pk,
        actions.forward_report,
        _("Report forwarded."),
        "forward_form",
        lambda report: ForwardForm(request.POST, report=report),
    )


@login_required
@require_POST
def to_topic(request: HttpRequest, pk: int) -> HttpResponse:
    return _office_step(
        request,
        pk,
        actions.take_to_topic,
        _("Report taken to a thematic topic."),
        "topic_form",
        lambda report: TopicForm(request.POST, report=report, user=request.user),
    )


def _forwarding_step(
    request: HttpRequest,
    pk: int,
    act: Callable[..., Any],
    check: Callable[[Any, Forwarding], None],
    done: str,
    form: Any,
    name: str,
) -> HttpResponse:
    """A department's reply or the member's rating of it, posted from the report's page."""
    forwarding = permissions.get_forwarding_for_user(request.user, pk)
    return _page(request, forwarding.report).step(
        lambda data: act(request.user, forwarding, **data),
        done,
        form,
        name,
        check=lambda: check(request.user, forwarding),
    )


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _forwarding_step(
        request,
        pk,
        actions.reply_to_report,
        permissions.check_reply,
        _("Reply sent."),
        ReplyForm(request.POST),
        "reply_form",
    )


@login_required
@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    return _forwarding_step(
        request,
        pk,
        actions.rate_reply,
        permissions.check_rate,
        _("Thank you for rating the reply."),
        RatingForm(request.POST),
        "rating_form",
    )


def member_record(member: User, reports: Any) -> dict[str, Any]:
    """履职 figures of one member from the reports the viewer may see."""
    own = reports.filter(member=member)
    counts = own.aggregate(
        submitted=Count("pk", filter=~Q(status=Report.Status.MERGED)),
        adopted=Count("pk", filter=Q(status__in=Report.ADOPTED_STATUSES)),
        merged=Count("pk", filter=Q(status=Report.Status.MERGED)),
    )
    forwardings = Forwarding.objects.filter(report__in=own)
    counts.update(
        forwarded=forwardings.count(),
        replied=forwardings.filter(status=Forwarding.Status.REPLIED).count(),
        rated=forwardings.exclude(rating="").count(),
    )
    return counts


@login_required
def record(request: HttpRequest, username: str | None = None) -> HttpResponse:
    """A member's 履职 record: their reports, what came of them and the replies they rated.
    Their own, or (for the office and officers of their district) any member's."""
    if username is None:
        found = User.objects.filter(pk=request.user.pk or 0).first()
    else:
        found = User.objects.filter(username=username).first()
    if found is None or (username is None and not permissions.is_member(request.user)):
        raise Http404
    member: User = found
    reports = permissions.visible_reports(request.user)
    if member.pk != request.user.pk:
        # Only those who see the whole district see a member's record.
        scope = scope_of(request.user)
        sees_district = scope.is_admin or any(
            kind in permissions.DISTRICT_VIEW_ROLES for kind, _path in scope.grants
        )
        if not sees_district or not reports.filter(member=member).exists():
            raise Http404
    own = _with_forwardings(reports.filter(member=member)).order_by("-submitted_at", "-id")
    return render(
        request,
        "opinions/record.html",
        {
            "member": member,
            "figures": member_record(member, reports),
            "reports": own,
            "today": today(),
        },
    )
