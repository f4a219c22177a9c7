"""The concerns panel of the staff workbench: what waits in the user's queue."""

from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.permissions import scope_of, visible_areas
from concerns.models import Issue
from concerns.permissions import may_register, visible_issues
from places.models import Area


def workbench_panel(request: HttpRequest) -> str:
    user = request.user
    if not scope_of(user).is_staff:
        return ""
    now = timezone.now()
    open_issues = visible_issues(user).filter(status__in=Issue.OPEN_STATUSES)
    overdue = Q(status=Issue.Status.NEW, accept_due_at__lt=now) | Q(resolve_due_at__lt=now)
    grids = visible_areas(user, Area.Kind.GRID)
    counts = open_issues.aggregate(
        open=Count("id"),
        new=Count("id", filter=Q(status=Issue.Status.NEW)),
        overdue=Count("id", filter=overdue),
        in_grid=Count("id", filter=Q(level=Issue.Level.GRID, grid__in=grids)),
    )
    top = list(open_issues.order_by("-residents_count", "first_received_at")[:5])
    return render_to_string(
        "concerns/_panel.html",
        {"counts": counts, "top": top, "may_register": may_register(user)},
        request=request,
    )
