"""{% load public_text %}{{ value|public_text }}: free text on a public page, masked by the one
rule of timeline.public (phones, ID numbers, rooms)."""

from django import template

from timeline.public import mask_public_text

register = template.Library()


@register.filter
def public_text(value: object, public: bool = True) -> str:
    """Masked; `|public_text:story.public` masks only on the public version of a page."""
    text = str(value) if value is not None else ""
    return mask_public_text(text) if public else text
