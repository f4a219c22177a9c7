"""Pages of topics: the list with suggestions, proposing one (from issues or for an area,
or 提交协商 from one issue), a topic's page and its changes, and the public page residents
support."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import area_filter
from concerns.models import Issue
from concerns.permissions import get_issue_for_user
from consultations import actions
from consultations.forms import IssueTopicForm, ShelveForm, SupportForm, TopicForm
from consultations.models import Meeting, Topic
from consultations.participation import support_from
from consultations.permissions import (
    can_change_topic,
    check_can_convene,
    existing_pk,
    get_topic_for_user,
    visible_topics,
)
from consultations.suggestions import suggested_topics
from consultations.views.common import parse_pk
from core.errors import ActionError
from core.links import offered_links
from timeline.public import mask_public_text
from timeline.services import events_for


@login_required
def topics(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = visible_topics(request.user).select_related("area").order_by("-created_at")
    if status in Topic.Status.values:
        rows = rows.filter(status=status)
    form = TopicForm(user=request.user)
    return _topics_page(request, rows, status, form)


def _topics_page(
    request: HttpRequest, rows: Any, status: str, form: TopicForm, code: int = 200
) -> HttpResponse:
    return render(
        request,
        "consultations/topics.html",
        {
            "topics": rows[:200],
            "status": status,
            "statuses": Topic.Status.choices,
            "suggestions": suggested_topics(request.user),
            "form": form,
        },
        status=code,
    )


@login_required
@require_POST
def topic_create(request: HttpRequest) -> HttpResponse:
    """From a suggestion (issue ids and a title) or the form of a direct topic."""
    issue_ids = [pk for pk in map(parse_pk, request.POST.getlist("issues")) if pk is not None]
    form = TopicForm(request.POST, user=request.user)
    try:
        if issue_ids:
            issues = Issue.objects.filter(area_filter(request.user, "community"), pk__in=issue_ids)
            if len(issues) != len(set(issue_ids)):
                raise Http404
            topic = actions.create_topic(
                request.user, title=request.POST.get("title", ""), issues=list(issues)
            )
        elif form.is_valid():
            data = form.cleaned_data
            topic = actions.create_topic(
                request.user,
                title=data["title"],
                area=data["area"],
                description=data["description"],
                public=data["public"],
            )
        else:
            rows = visible_topics(request.user).select_related("area")
            return _topics_page(request, rows, "", form, 400)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("consultations:topics")
    messages.success(request, _("Topic “%(title)s” proposed.") % {"title": topic.title})
    return redirect("consultations:topic", pk=topic.pk)


def issue_topic_title(issue: Issue) -> str:
    """The title a topic from one issue starts with, whole (staff may edit it): the issue's
    public title, else its working title with phone numbers and codes masked, since a topic
    is read by residents."""
    return mask_public_text(issue.public_title or issue.title)


@login_required
def topic_from_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """提交协商: a topic with this issue attached, in one step; lands on the topic."""
    issue = get_issue_for_user(request.user, existing_pk(pk))
    check_can_convene(request.user, issue.community)
    form = IssueTopicForm(request.POST or None, initial={"title": issue_topic_title(issue)})
    code = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                topic = actions.create_topic(
                    request.user,
                    title=form.cleaned_data["title"],
                    issues=[issue],
                    description=form.cleaned_data["description"],
                    public=form.cleaned_data["public"],
                )
            except ActionError as exc:
                exc.show_on(form)
                code = exc.status
            else:
                messages.success(
                    request,
                    _("Topic “%(title)s” proposed. Plan a meeting for it next.")
                    % {"title": topic.title},
                )
                return redirect("consultations:topic", pk=topic.pk)
        else:
            code = 400
    return render(
        request,
        "consultations/topic_from_issue.html",
        {"issue": issue, "form": form, "taken": open_topic_of(issue)},
        status=code,
    )


def open_topic_of(issue: Issue) -> Topic | None:
    return issue.topics.filter(status__in=Topic.OPEN_STATUSES).first()


@login_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_topic_for_user(request.user, pk)
    return _topic_page(request, topic, ShelveForm())


def _topic_page(
    request: HttpRequest, topic: Topic, shelve_form: ShelveForm, code: int = 200
) -> HttpResponse:
    return render(
        request,
        "consultations/topic.html",
        {
            "topic": topic,
            "issues": topic.issues.select_related("grid", "category"),
            "meetings": topic.meetings.order_by("-starts_at"),
            "resolutions": topic.resolutions.select_related("meeting").prefetch_related(
                "responsible_organisations"
            ),
            "events": events_for([topic]),
            "can_change": can_change_topic(request.user, topic),
            "shelve_form": shelve_form,
            "links": offered_links("topic", request, topic),
        },
        status=code,
    )


@login_required
@require_POST
def topic_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    topic = get_topic_for_user(request.user, pk, write=True)
    form = ShelveForm(request.POST)
    try:
        if action == "accept":
            actions.accept_topic(request.user, topic)
        elif action == "shelve":
            actions.shelve_topic(request.user, topic, reason=request.POST.get("reason", ""))
        else:
            raise Http404
    except ActionError as exc:
        exc.show_on(form)
        return _topic_page(request, topic, form, exc.status)
    return redirect("consultations:topic", pk=topic.pk)


def topic_public(request: HttpRequest, pk: int) -> HttpResponse:
    """A public topic: residents read it and support it once each."""
    topic = get_object_or_404(Topic.objects.select_related("area"), pk=existing_pk(pk), public=True)
    form = SupportForm(request.POST or None)
    code = 200
    if request.method == "POST" and form.is_valid():
        try:
            support_from(request, topic, form.cleaned_data["phone"])
        except ActionError as exc:
            form.add_error("phone", exc.message)
            code = exc.status
        else:
            messages.success(request, _("Thank you: your support has been counted."))
            return redirect("consultations:topic_public", pk=topic.pk)
    elif request.method == "POST":
        code = 400
    public_meetings = topic.meetings.exclude(status=Meeting.Status.DRAFT).order_by("-starts_at")
    return render(
        request,
        "consultations/topic_public.html",
        {"topic": topic, "form": form, "meetings": public_meetings},
        status=code,
    )
