"""The workbench panel: the latest messages for the staff member."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from notifications.models import Delivery


def workbench_panel(request: HttpRequest) -> str:
    if not request.user.is_authenticated:
        return ""
    mine = Delivery.objects.filter(user=request.user, channel=Delivery.Channel.IN_APP)
    latest = list(mine.order_by("-created_at", "-id")[:5])
    unread = mine.filter(read_at__isnull=True).count()
    return render_to_string(
        "notifications/panel.html", {"latest": latest, "unread": unread}, request=request
    )
