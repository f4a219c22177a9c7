"""What every app's admin shares."""

from typing import Any

from django.http import HttpRequest


class ViewOnly:
    """Shown in the admin, never added, changed or deleted there: the app's actions own every
    change (each guarded and recorded on the timeline). Mix in before the ModelAdmin or inline."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
