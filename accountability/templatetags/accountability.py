"""{% load accountability %}{% story_url obj %}: the whole-story page of an issue, topic,
meeting, resolution or action item, for the other apps' pages to link to."""

from typing import Any

from django import template
from django.urls import reverse

from accountability.story import KINDS

register = template.Library()


@register.simple_tag
def story_url(obj: Any) -> str:
    for kind, model in KINDS.items():
        if kind != "concern" and isinstance(obj, model):
            return reverse("accountability:story", args=[kind, obj.pk])
    return ""
