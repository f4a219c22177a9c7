from django.contrib import admin

from opinions.models import Forwarding, Report


class ForwardingInline(admin.TabularInline):
    model = Forwarding
    extra = 0
    fields = ("organisation", "status", "due_on", "replied_at", "rating")
    readonly_fields = fields
    can_delete = False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    # State changes go through opinions.actions (with their timeline rows), not the admin.
    list_display = ("title", "member", "area", "status", "submitted_at")
    list_filter = ("status", "district")
    search_fields = ("title",)
    readonly_fields = ("member", "district", "area", "issue", "status", "merged_into", "topic")
    inlines = [ForwardingInline]

    def has_add_permission(self, request) -> bool:
        return False
