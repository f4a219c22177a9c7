"""The consultations panel of the staff workbench, as each role needs it first:

- community staff and the secretary: topics waiting, meetings this week, results to publish;
- CPPCC members, the CPPCC office and representatives of a CPPCC committee: the open topics
  of their district above the communities (thematic ones) and its research consultations.
"""

from datetime import timedelta
from typing import Any

from django.db.models import Case, Value, When
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role
from accounts.permissions import area_filter, scope_of
from consultations.models import Meeting, Topic
from consultations.permissions import LOCAL_KINDS, STAFF_ROLES, visible_meetings, visible_topics
from consultations.suggestions import CANDIDATE_STATUSES, suggested_topics

CPPCC_ROLES = {Role.Kind.CPPCC_MEMBER, Role.Kind.CPPCC_OFFICE}


def _is_cppcc(scope: Any) -> bool:
    if scope.roles & CPPCC_ROLES:
        return True
    return (
        bool(scope.organisation_ids)
        and Organisation.objects.filter(
            pk__in=scope.organisation_ids, kind=Organisation.Kind.CPPCC
        ).exists()
    )


def workbench_panel(request: HttpRequest) -> str:
    user = request.user
    scope = scope_of(user)
    convenes = scope.is_admin or bool(scope.roles.intersection(STAFF_ROLES))
    cppcc = not convenes and _is_cppcc(scope)
    if not (convenes or cppcc):
        return ""
    now = timezone.now()
    context: dict[str, Any] = {"convenes": convenes, "cppcc": cppcc}
    if convenes:
        meetings = Meeting.objects.filter(area_filter(user, "area", write=True))
        today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        context.update(
            proposed=Topic.objects.filter(
                area_filter(user, "area", write=True), status=Topic.Status.PROPOSED
            ).count(),
            suggestions=len(suggested_topics(user, limit=100)),
            to_publish=meetings.filter(status=Meeting.Status.CLOSED).count(),
            this_week=list(
                meetings.filter(
                    status__in=(
                        Meeting.Status.DRAFT,
                        Meeting.Status.ANNOUNCED,
                        Meeting.Status.HELD,
                    ),
                    starts_at__gte=today,
                    starts_at__lt=today + timedelta(days=7),
                ).order_by("starts_at")[:8]
            ),
            later=meetings.filter(
                status__in=(Meeting.Status.DRAFT, Meeting.Status.ANNOUNCED),
                starts_at__gte=today + timedelta(days=7),
            ).count(),
        )
    else:
        context.update(
            # Open ones first, the district's own (thematic) before the communities'.
            topics=list(
                visible_topics(user)
                .exclude(status=Topic.Status.SHELVED)
                .annotate(
                    later_stage=Case(
                        When(status__in=Topic.OPEN_STATUSES, then=Value(0)), default=Value(1)
                    ),
                    local=Case(When(area__kind__in=LOCAL_KINDS, then=Value(1)), default=Value(0)),
                )
                .select_related("area")
                .order_by("later_stage", "local", "-created_at")[:8]
            ),
            research=list(
                visible_meetings(user)
                .filter(form=Meeting.Form.THEMATIC_RESEARCH)
                .select_related("area")
                .order_by("-starts_at")[:5]
            ),
        )
    return render_to_string("consultations/panel.html", context, request=request)


def issue_link(request: HttpRequest, issue: Any) -> tuple[str, str] | None:
    """提交协商 on an issue page, for those who may propose the community's topics; the open
    topic it is already on, for anyone who may see it."""
    from consultations.permissions import can_convene
    from consultations.views.topics import open_topic_of

    taken = open_topic_of(issue)
    if taken is not None:
        return _("On the topic “%(title)s”") % {"title": taken.title}, reverse(
            "consultations:topic", args=[taken.pk]
        )
    if issue.status not in CANDIDATE_STATUSES or not can_convene(request.user, issue.community):
        return None
    return _("Submit for consultation"), reverse("consultations:topic_from_issue", args=[issue.pk])
