"""The consultations section of a community's public page: notices of upcoming meetings,
published results, and open topics residents can support. No personal data."""

from datetime import timedelta

from django.db.models import Count
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from consultations.models import Meeting, Topic
from places.models import Area


def _areas_above(community: Area) -> list[str]:
    """The codes of the community and the street and district above it: a district's
    thematic consultation belongs on every community page under it."""
    return [code for code in community.path.strip("/").split("/") if code]


def community_section(request: HttpRequest, community: Area) -> str:
    codes = _areas_above(community)
    meetings = Meeting.objects.filter(area__code__in=codes).select_related("area", "venue")
    upcoming = list(
        meetings.filter(
            status__in=(Meeting.Status.ANNOUNCED, Meeting.Status.HELD),
            starts_at__gte=timezone.now() - timedelta(hours=12),
        ).order_by("starts_at")[:10]
    )
    published = list(
        meetings.filter(status=Meeting.Status.PUBLISHED)
        .annotate(n_resolutions=Count("resolutions"))
        .order_by("-starts_at")[:10]
    )
    topics = list(
        Topic.objects.filter(area=community, public=True, status__in=Topic.OPEN_STATUSES).order_by(
            "-supporters_count", "-created_at"
        )[:10]
    )
    if not (upcoming or published or topics):
        return ""
    return render_to_string(
        "consultations/community_section.html",
        {"community": community, "upcoming": upcoming, "published": published, "topics": topics},
        request=request,
    )
