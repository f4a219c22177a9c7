from django.contrib import admin

from core.admin import ViewOnly
from timeline.models import Event


@admin.register(Event)
class EventAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["created_at", "verb", "subject_type", "subject_id", "actor", "public"]
    list_filter = ["public", "subject_type"]
    search_fields = ["verb", "note"]
    readonly_fields = [f.name for f in Event._meta.fields]
