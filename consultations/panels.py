"""The consultations panel of the staff workbench: what waits for the user's communities."""

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import area_filter, scope_of
from consultations.models import Meeting, Topic
from consultations.permissions import STAFF_ROLES
from consultations.suggestions import CANDIDATE_STATUSES, suggested_topics

MS = Meeting.Status


def workbench_panel(request: HttpRequest) -> str:
    user = request.user
    scope = scope_of(user)
    if not scope.is_admin and not scope.roles.intersection(STAFF_ROLES):
        return ""
    meetings = Meeting.objects.filter(area_filter(user, "area", write=True))
    return render_to_string(
        "consultations/panel.html",
        {
            "proposed": Topic.objects.filter(
                area_filter(user, "area", write=True), status=Topic.Status.PROPOSED
            ).count(),
            "suggestions": len(suggested_topics(user, limit=100)),
            "to_publish": meetings.filter(status=MS.CLOSED).count(),
            "upcoming": list(
                meetings.filter(
                    status__in=(MS.DRAFT, MS.ANNOUNCED, MS.HELD), starts_at__gte=timezone.now()
                ).order_by("starts_at")[:5]
            ),
        },
        request=request,
    )


def issue_link(request: HttpRequest, issue: Any) -> tuple[str, str] | None:
    """提交协商 on an issue page, for those who may propose the community's topics; the open
    topic it is already on, for anyone who may see it."""
    from consultations.permissions import can_convene
    from consultations.views import open_topic_of

    taken = open_topic_of(issue)
    if taken is not None:
        return _("On the topic “%(title)s”") % {"title": taken.title}, reverse(
            "consultations:topic", args=[taken.pk]
        )
    if issue.status not in CANDIDATE_STATUSES or not can_convene(request.user, issue.community):
        return None
    return _("Submit for consultation"), reverse("consultations:topic_from_issue", args=[issue.pk])
