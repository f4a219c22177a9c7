"""Deliveries are read-only here, with phone numbers, addresses and tracking codes masked
(the stored body keeps the code: it is what the resident's SMS says)."""

import re
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from concerns.codes import mask as mask_codes
from core.admin import ViewOnly
from notifications.models import Delivery, Subscription

_STOP_LINK = re.compile(r"/notifications/stop/[^/\s]+/")
_FOLLOW_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


def mask_follower_secrets(text: str) -> str:
    """A follower's stop link and confirmation code, a participant's sign-in code, are
    theirs: staff reading the message must not be able to stop, confirm or sign in for
    them."""
    return _FOLLOW_CODE.sub("******", _STOP_LINK.sub("/notifications/stop/…/", text))


@admin.register(Delivery)
class DeliveryAdmin(ViewOnly, admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "masked_address",
        "user",
        "subject",
        "status",
        "attempts",
    ]
    list_filter = ["channel", "status"]
    fields = (
        "event",
        "channel",
        "masked_address",
        "user",
        "subject",
        "masked_body",
        "masked_url",
        "status",
        "attempts",
        "next_attempt_at",
        "kind",
        "gateway_id",
        "masked_error",
    )
    readonly_fields = fields

    @admin.display(description=_("message"))
    def masked_body(self, obj: Delivery) -> str:
        return mask_follower_secrets(mask_codes(obj.body))

    @admin.display(description=_("link"))
    def masked_url(self, obj: Delivery) -> str:
        return mask_codes(obj.url)

    @admin.display(description=_("error"))
    def masked_error(self, obj: Delivery) -> str:
        return mask_codes(obj.error)


@admin.register(Subscription)
class SubscriptionAdmin(ViewOnly, admin.ModelAdmin):
    """Who follows which community: phones masked; staff cannot add or edit (a resident
    follows by confirming their own phone, and stops by their own link)."""

    list_display = ["community", "masked_phone", "confirmed_at", "stopped_at", "created_at"]
    list_filter = ["community"]
    fields = ("community", "masked_phone", "confirmed_at", "stopped_at", "created_at")
    readonly_fields = fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A resident who asks for their phone to be erased (个人信息删除) is removed here by an
        # administrator; a follow is no record of the workflow.
        return bool(request.user.is_superuser)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: Subscription) -> str:
        return obj.masked_phone
