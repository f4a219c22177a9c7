"""Deliveries are read-only here, with phone numbers and addresses masked."""

from django.contrib import admin

from notifications.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "masked_address", "user", "subject", "status"]
    list_filter = ["channel", "status"]
    fields = ("event", "channel", "masked_address", "user", "subject", "body", "status", "error")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
