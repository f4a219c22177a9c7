"""A staff member's messages (站内消息) and their choice of email."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from notifications.models import Delivery, Preference


def inbox(user: Any) -> QuerySet[Delivery]:
    return Delivery.objects.filter(user=user, channel=Delivery.Channel.IN_APP)


@login_required
def messages_page(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox(request.user).order_by("-created_at", "-id"), 30).get_page(
        request.GET.get("page")
    )
    preference = Preference.objects.filter(user_id=request.user.pk or 0).first()
    return render(
        request,
        "notifications/messages.html",
        {
            "page": page,
            "email_mode": preference.email_mode if preference else "immediate",
            "modes": Preference.EmailMode.choices,
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    inbox(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications:messages")


@login_required
@require_POST
def set_preference(request: HttpRequest) -> HttpResponse:
    mode = request.POST.get("email_mode", "")
    if mode in Preference.EmailMode.values:
        Preference.objects.update_or_create(user_id=request.user.pk, defaults={"email_mode": mode})
    return redirect("notifications:messages")
