"""Administrators set each community's evaluation rule here, and read action items, their
progress and residents' ratings. Those are changed only through their pages and API (each
transition guarded and recorded on the timeline), so here they can be listed, filtered,
searched and opened, never edited. Residents appear by a masked phone, and a rating's concern
by its id: the tracking code is the resident's secret."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accountability.models import (
    ActionItem,
    Evaluation,
    EvaluationRule,
    Milestone,
    ProgressPhoto,
    ProgressUpdate,
)
from accounts.masking import mask_phone
from core.admin import ViewOnly


@admin.register(EvaluationRule)
class EvaluationRuleAdmin(admin.ModelAdmin):
    list_display = ["community", "reopen_above_percent"]
    autocomplete_fields = ["community"]


class MilestoneInline(ViewOnly, admin.TabularInline):
    model = Milestone
    fields = ["title", "due_on", "reached_at"]
    extra = 0


class ProgressInline(ViewOnly, admin.TabularInline):
    model = ProgressUpdate
    fields = ["created_at", "author", "milestone", "text"]
    extra = 0
    ordering = ["-created_at", "-id"]


@admin.register(ActionItem)
class ActionItemAdmin(ViewOnly, admin.ModelAdmin):
    list_display = [
        "title",
        "community",
        "owner_organisation",
        "status",
        "round",
        "deadline",
        "residents_count",
        "latest_progress_at",
        "closed_at",
    ]
    list_filter = ["status", "owner_organisation__kind", "deadline", "listed_at"]
    search_fields = ["title", "description", "owner_organisation__name", "community__name"]
    list_select_related = ["community", "owner_organisation"]
    date_hierarchy = "listed_at"
    exclude = ["idempotency_key"]
    inlines = [MilestoneInline, ProgressInline]


class ProgressPhotoInline(ViewOnly, admin.TabularInline):
    model = ProgressPhoto
    fields = ["image", "caption"]
    extra = 0


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["action_item", "summary", "author", "milestone", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["text", "action_item__title"]
    list_select_related = ["action_item", "author", "milestone"]
    date_hierarchy = "created_at"
    inlines = [ProgressPhotoInline]

    @admin.display(description=_("progress"))
    def summary(self, update: ProgressUpdate) -> str:
        return update.text[:80]


def masked_resident(key: str) -> str:
    """A rating's resident as staff may see them: a phone masked, anything else by kind."""
    kind, _sep, value = key.partition(":")
    if kind == "tel":
        return mask_phone(value)
    return str({"hh": _("a household"), "user": _("a staff member")}.get(kind, _("anonymous")))


# Not the concern itself: its name in the admin is the resident's tracking code.
EVALUATION_FIELDS = [
    "issue",
    "action_item",
    "community",
    "concern_number",
    "resident",
    "round",
    "rating",
    "comment",
    "created_at",
]


@admin.register(Evaluation)
class EvaluationAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["matter", "rating", "round", "community", "resident", "created_at"]
    list_filter = ["rating", "round", "created_at"]
    search_fields = ["comment", "issue__title", "action_item__title"]
    list_select_related = ["issue", "action_item", "community"]
    date_hierarchy = "created_at"
    fields = tuple(EVALUATION_FIELDS)
    readonly_fields = EVALUATION_FIELDS

    @admin.display(description=_("matter"))
    def matter(self, evaluation: Evaluation) -> str:
        return str(evaluation.action_item or evaluation.issue)

    @admin.display(description=_("resident"))
    def resident(self, evaluation: Evaluation) -> str:
        return masked_resident(evaluation.resident_key)

    @admin.display(description=_("concern"))
    def concern_number(self, evaluation: Evaluation) -> str:
        return f"#{evaluation.concern_id}"
