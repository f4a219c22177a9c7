"""The board summary on a community's public page (no personal data)."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from accountability.models import ActionItem
from places.models import Area


def community_section(request: HttpRequest, community: Area) -> str:
    items = list(
        ActionItem.objects.filter(community=community)
        .select_related("owner_organisation")
        .order_by("deadline", "id")
    )
    if not items:
        return ""
    open_items = [i for i in items if i.status != ActionItem.Status.CLOSED]
    return render_to_string(
        "accountability/community_section.html",
        {
            "community": community,
            "open_items": open_items[:5],
            "open_count": len(open_items),
            "closed_count": len(items) - len(open_items),
            "overdue_count": sum(1 for i in open_items if i.is_overdue_at()),
        },
        request=request,
    )
