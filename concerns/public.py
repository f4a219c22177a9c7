"""The concerns of a community as the public sees them: counts, and its open matters by their
public titles (neutral, masked: `Issue.title_for_public`), status, how many residents raised
them and since when. Never a resident's words, name, phone, address or tracking code."""

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

from concerns.models import Issue
from places.models import Area

# Open matters shown on the community page itself; the rest on their own, paginated page.
ON_COMMUNITY_PAGE = 5
PAGE_SIZE = 20


def open_matters(community: Area) -> QuerySet[Issue]:
    """The community's open issues, those most residents raised first (as staff rank them)."""
    return (
        Issue.objects.filter(community=community, status__in=Issue.OPEN_STATUSES)
        .select_related("community", "category")
        .only(
            "public_title",
            "status",
            "residents_count",
            "first_received_at",
            "story_published_at",
            "story_token",
            "community__name",
            "category__name",
        )
        .order_by("-residents_count", "first_received_at", "pk")
    )


def open_matters_page(request: HttpRequest, code: str) -> HttpResponse:
    """Every open matter of a community, paginated: what a neighbour can see is already
    raised (FixMyStreet shows every report), counted, with no personal data."""
    community = get_object_or_404(Area, code=code)
    if community.kind != Area.Kind.COMMUNITY:
        raise Http404
    page = Paginator(open_matters(community), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "concerns/open_matters.html",
        {"community": community, "ancestors": community.ancestors(), "page": page},
    )


def community_section(request: HttpRequest, community: Area) -> str:
    rows = dict(
        Issue.objects.filter(community=community)
        .exclude(status=Issue.Status.MERGED)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    if not rows:
        return ""
    open_count = sum(rows.get(s, 0) for s in Issue.OPEN_STATUSES)
    in_grid = Issue.objects.filter(
        community=community, status=Issue.Status.SETTLED, level=Issue.Level.GRID
    ).count()
    by_status = [
        (label, rows.get(value, 0))
        for value, label in Issue.Status.choices
        if value != Issue.Status.MERGED and rows.get(value)
    ]
    return render_to_string(
        "concerns/_public_section.html",
        {
            "community": community,
            "total": sum(n for s, n in rows.items()),
            "open_count": open_count,
            "settled_in_grid": in_grid,
            "by_status": by_status,
            "matters": list(open_matters(community)[:ON_COMMUNITY_PAGE]) if open_count else [],
        },
        request=request,
    )
