from django.contrib import admin

from timeline.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "verb", "subject_type", "subject_id", "actor", "public"]
    list_filter = ["public", "subject_type"]
    search_fields = ["verb", "note"]
    readonly_fields = [f.name for f in Event._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
