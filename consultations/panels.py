"""The consultations panel of the staff workbench: what waits for the user's communities."""

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.permissions import area_filter, scope_of
from consultations.models import Meeting, Topic
from consultations.permissions import STAFF_ROLES
from consultations.suggestions import suggested_topics


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
            "to_publish": meetings.filter(status=Meeting.Status.CLOSED).count(),
            "upcoming": list(
                meetings.filter(
                    status__in=(
                        Meeting.Status.DRAFT,
                        Meeting.Status.ANNOUNCED,
                        Meeting.Status.HELD,
                    ),
                    starts_at__gte=timezone.now(),
                ).order_by("starts_at")[:5]
            ),
        },
        request=request,
    )
