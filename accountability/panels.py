"""The workbench panel of action items, as each role needs it first:

- an organisation's representative: its items to carry out, the nearest deadline first;
- community staff and the secretary: items due within two weeks, items awaiting verification;
- street and district officers: the overdue items in their area.

Anyone who owns an item (by name or through their organisation) sees it, whatever their role.
"""

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from accountability import permissions
from accountability.models import ActionItem, today
from accounts.models import Role
from accounts.permissions import COMMUNITY_ROLES, scope_of
from places.models import Area

DUE_SOON = timedelta(days=14)
OVERSIGHT_ROLES = {Role.Kind.STREET_OFFICER, Role.Kind.DISTRICT_OFFICER}


def workbench_panel(request: HttpRequest) -> str:
    user = request.user
    scope = scope_of(user)
    if not scope.is_staff:
        return ""
    visible = permissions.visible_items(user).select_related("community", "owner_organisation")
    mine = Q(owner_id=user.pk) | Q(owner_organisation_id__in=scope.organisation_ids)
    in_community = scope.is_admin or bool(scope.roles & COMMUNITY_ROLES)
    oversees = scope.is_admin or bool(scope.roles & OVERSIGHT_ROLES)
    now = today()
    context: dict[str, Any] = {"today": now, "in_community": in_community, "oversees": oversees}
    context["owned"] = list(
        visible.filter(mine)
        .filter(status__in=ActionItem.WORKING_STATUSES)
        .order_by("deadline")[:10]
    )
    if in_community:
        context["due"] = list(
            visible.filter(status__in=ActionItem.WORKING_STATUSES, deadline__lte=now + DUE_SOON)
            .exclude(mine)
            .order_by("deadline")[:10]
        )
        context["awaiting"] = list(
            visible.filter(status=ActionItem.Status.DONE).order_by("done_at")[:10]
        )
    if oversees:
        context["overdue"] = list(visible.overdue().order_by("deadline")[:10])
    if not (in_community or oversees or context["owned"] or visible.filter(mine).exists()):
        return ""
    context["open_count"] = visible.not_closed().count()
    return render_to_string("accountability/panel.html", context, request=request)


def resolution_link(request: HttpRequest, resolution: Any) -> tuple[str, str] | None:
    """挂牌 beside a resolution on its meeting's page, until it is listed: the listing form
    starts with the resolution's text, deadline, owner and meeting."""
    if resolution.action_items.exists():
        return None
    area = resolution.meeting.area
    if area.kind == Area.Kind.COMMUNITY:
        allowed = permissions.can_publish_in(request.user, area)
    else:
        scope = scope_of(request.user)
        allowed = scope.is_admin or any(
            kind in permissions.MANAGING_ROLES for kind, _path in scope.grants
        )
    if not allowed:
        return None
    url = reverse("accountability:publish_item") + f"?resolution={resolution.pk}"
    return _("List as an action item"), url
