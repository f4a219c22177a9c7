"""Administrators set each community's evaluation rule here. Action items are changed only
through their pages and API (each transition guarded and recorded), so the admin only shows
them."""

from django.contrib import admin

from accountability.models import ActionItem, EvaluationRule


@admin.register(EvaluationRule)
class EvaluationRuleAdmin(admin.ModelAdmin):
    list_display = ["community", "reopen_above_percent"]
    autocomplete_fields = ["community"]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "owner_organisation", "status", "deadline", "closed_at"]
    list_filter = ["status"]
    search_fields = ["title"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
