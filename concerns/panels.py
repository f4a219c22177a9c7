"""The concerns panel of the staff workbench, as each role needs it first:

- a grid worker or building head: their queue (the grid's open issues, overdue first);
- community staff and the secretary: the issues most residents raised, what awaits acceptance;
- street and district officers: what is overdue and what was escalated in their area.

CPPCC members and organisation representatives handle no issues: the panel is not theirs.
"""

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import COMMUNITY_ROLES, GRID_ROLES, scope_of, visible_areas
from concerns.models import Issue
from concerns.permissions import may_register, visible_issues
from places.models import Area

OVERSIGHT_ROLES = {Role.Kind.STREET_OFFICER, Role.Kind.DISTRICT_OFFICER}
ESCALATED = (Issue.Level.STREET, Issue.Level.DEPARTMENT)


def _overdue(now: Any) -> Q:
    return Q(status=Issue.Status.NEW, accept_due_at__lt=now) | Q(resolve_due_at__lt=now)


def workbench_panel(request: HttpRequest) -> str:
    user = request.user
    scope = scope_of(user)
    in_grid = bool(scope.roles & GRID_ROLES)
    in_community = scope.is_admin or bool(scope.roles & COMMUNITY_ROLES)
    oversees = scope.is_admin or bool(scope.roles & OVERSIGHT_ROLES)
    if not (in_grid or in_community or oversees):
        return ""
    now = timezone.now()
    open_issues = visible_issues(user).filter(status__in=Issue.OPEN_STATUSES)
    rows = open_issues.select_related("community", "grid")
    context: dict[str, Any] = {
        "in_grid": in_grid,
        "in_community": in_community,
        "oversees": oversees,
        "may_register": may_register(user),
    }
    if in_grid:
        grids = visible_areas(user, Area.Kind.GRID)
        queue = rows.filter(level=Issue.Level.GRID, grid__in=grids)
        context["queue"] = list(queue.order_by("accept_due_at", "-residents_count")[:8])
        context["queue_counts"] = queue.aggregate(
            total=Count("id"), overdue=Count("id", filter=_overdue(now))
        )
    if in_community:
        context["counts"] = open_issues.aggregate(
            open=Count("id"),
            new=Count("id", filter=Q(status=Issue.Status.NEW)),
            overdue=Count("id", filter=_overdue(now)),
        )
        context["hot"] = list(rows.order_by("-residents_count", "first_received_at")[:5])
    if oversees:
        context["overdue"] = list(rows.filter(_overdue(now)).order_by("resolve_due_at")[:8])
        context["escalated"] = list(
            rows.filter(level__in=ESCALATED).order_by("-residents_count", "first_received_at")[:8]
        )
    return render_to_string("concerns/_panel.html", context, request=request)
