"""Back office: administrators keep the venues; topics and meetings are listed for reference,
their states change only through the pages and the API (the action functions)."""

from django.contrib import admin

from consultations.models import Meeting, Resolution, Topic, Venue
from core.admin import ViewOnly


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "community", "address"]
    list_filter = ["kind"]
    search_fields = ["name", "address", "community__name"]
    autocomplete_fields = ["community"]


@admin.register(Topic)
class TopicAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["title", "area", "status", "residents_count", "supporters_count"]
    list_filter = ["status", "source"]
    search_fields = ["title"]


@admin.register(Meeting)
class MeetingAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["title", "form", "area", "starts_at", "status"]
    list_filter = ["form", "status"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"


@admin.register(Resolution)
class ResolutionAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["text", "meeting", "topic", "target_date"]
    search_fields = ["text"]
