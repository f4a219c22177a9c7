"""The workbench panel: items the user owns and items of their communities that need them."""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from accountability import permissions
from accountability.models import ActionItem, today
from accounts.permissions import scope_of
from places.models import Area


def workbench_panel(request: HttpRequest) -> str:
    user = request.user
    scope = scope_of(user)
    if not scope.is_staff:
        return ""
    visible = permissions.visible_items(user).select_related("community", "owner_organisation")
    mine = Q(owner_id=user.pk) | Q(owner_organisation_id__in=scope.organisation_ids)
    owned = list(visible.filter(mine).filter(status__in=ActionItem.WORKING_STATUSES)[:10])
    awaiting = list(visible.filter(status=ActionItem.Status.DONE).order_by("done_at")[:10])
    overdue = list(visible.overdue()[:10])
    open_count = visible.open().count()
    if not (owned or awaiting or overdue or open_count or visible.exists()):
        return ""
    return render_to_string(
        "accountability/panel.html",
        {
            "owned": owned,
            "awaiting": awaiting,
            "overdue": overdue,
            "open_count": open_count,
            "today": today(),
        },
        request=request,
    )


def resolution_link(request: HttpRequest, resolution: Any) -> tuple[str, str] | None:
    """挂牌 beside a resolution on its meeting's page, until it is listed: the listing form
    starts with the resolution's text, deadline, owner and meeting."""
    if resolution.action_items.exists():
        return None
    area = resolution.meeting.area
    if area.kind == Area.Kind.COMMUNITY:
        allowed = permissions.can_list_in(request.user, area)
    else:
        scope = scope_of(request.user)
        allowed = scope.is_admin or any(
            kind in permissions.MANAGING_ROLES for kind, _path in scope.grants
        )
    if not allowed:
        return None
    url = reverse("accountability:list_item") + f"?resolution={resolution.pk}"
    return _("List as an action item"), url
