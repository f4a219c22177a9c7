"""Back office: administrators edit categories and their time limits; issues and concerns are
read here but changed only through the actions (so every change has its timeline row)."""

from django.contrib import admin

from concerns.models import Category, Concern, Issue


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "accept_hours", "respond_hours", "resolve_days", "active")
    list_editable = ("accept_hours", "respond_hours", "resolve_days", "active")
    search_fields = ("name", "code", "keywords")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Issue)
class IssueAdmin(ReadOnlyAdmin):
    list_display = ("title", "community", "grid", "status", "level", "residents_count")
    list_filter = ("status", "level", "category")
    search_fields = ("title",)
    list_select_related = ("community", "grid")


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin):
    # Never the tracking code: it is the resident's secret, not the back office's.
    list_display = ("public_id", "community", "channel", "received_at", "issue")
    list_filter = ("channel",)
    search_fields = ("public_id",)
    exclude = ("tracking_code", "idempotency_key")
    list_select_related = ("community", "issue")
