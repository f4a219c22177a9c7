"""{% area_profile_panel area %}: the 区域概况 panel a topic or meeting page shows."""

from typing import Any

from django import template

from places.models import Area
from places.profiles import card_for

register = template.Library()


@register.inclusion_tag("places/_profile_card.html")
def area_profile_panel(area: Area | None) -> dict[str, Any]:
    return {"card": card_for(area), "area": area, "panel": True}
