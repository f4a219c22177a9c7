"""{% load accountability %}{% story_url obj %}: the public whole-story page of an issue or an
action item (by its unguessable address), for the other apps' pages to link to."""

from typing import Any

from django import template
from django.urls import reverse

from accountability.models import ActionItem
from concerns.models import Issue

register = template.Library()


@register.simple_tag
def story_url(obj: Any) -> str:
    if isinstance(obj, Issue | ActionItem) and obj.story_token:
        return reverse("accountability:story_public", args=[obj.story_token])
    return ""
