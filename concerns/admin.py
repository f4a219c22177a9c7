"""Back office: administrators edit categories and their time limits; issues and concerns are
read here but changed only through the actions (so every change has its timeline row)."""

from django.contrib import admin

from concerns.models import Category, Concern, Issue
from core.admin import ViewOnly


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "accept_hours", "respond_hours", "resolve_days", "active")
    list_editable = ("accept_hours", "respond_hours", "resolve_days", "active")
    search_fields = ("name", "code", "keywords")


@admin.register(Issue)
class IssueAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("title", "community", "grid", "status", "level", "residents_count")
    list_filter = ("status", "level", "category")
    search_fields = ("title",)
    list_select_related = ("community", "grid")


@admin.register(Concern)
class ConcernAdmin(ViewOnly, admin.ModelAdmin):
    # Never the tracking code: it is the resident's secret, not the back office's.
    list_display = ("public_id", "community", "channel", "received_at", "issue")
    list_filter = ("channel",)
    search_fields = ("public_id",)
    exclude = ("tracking_code", "idempotency_key")
    list_select_related = ("community", "issue")
