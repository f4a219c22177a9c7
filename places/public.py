"""The profile card on a community's public page (its manifest's community section)."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from places.models import Area
from places.permissions import can_edit_profile
from places.profiles import card_for


def community_section(request: HttpRequest, community: Area) -> str:
    card = card_for(community)
    can_edit = can_edit_profile(request.user, community)
    if card is None and not can_edit:
        return ""
    return render_to_string(
        "places/_profile_card.html",
        {"card": card, "area": community, "can_edit": can_edit, "heading": "h2"},
        request=request,
    )
