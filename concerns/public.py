"""The concerns section of a community's public page: counts only, no personal data."""

from django.db.models import Count
from django.http import HttpRequest
from django.template.loader import render_to_string

from concerns.models import Issue
from places.models import Area


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
        },
        request=request,
    )
