"""A staff member's messages (站内消息) and their choices: email, SMS of new concerns."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.masking import mask_phone
from accounts.models import Role
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
            "sms_new_concerns": bool(preference and preference.sms_new_concerns),
            "modes": Preference.EmailMode.choices,
            "works_a_grid": request.user.roles.filter(kind=Role.Kind.GRID_WORKER).exists(),
            "masked_phone": mask_phone(request.user.phone),
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
        # An unticked box is not sent: the SMS choice is off unless ticked.
        sms = request.POST.get("sms_new_concerns") == "on"
        Preference.objects.update_or_create(
            user_id=request.user.pk, defaults={"email_mode": mode, "sms_new_concerns": sms}
        )
    return redirect("notifications:messages")
