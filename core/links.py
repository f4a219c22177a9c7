"""Links a later app offers on an earlier app's page (写社情民意 on an issue, the report behind
a topic), so the earlier app links forward without importing the later one. The roof
registers the offers of every app's manifest at start-up (`yishi.apps`)."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from core.manifest import Offer

_offers: dict[str, list[Offer]] = defaultdict(list)


def register(kind: str, offers: Iterable[Offer]) -> None:
    for offer in offers:
        if offer not in _offers[kind]:
            _offers[kind].append(offer)


def offered_links(kind: str, request: HttpRequest, obj: Any) -> list[tuple[str, str]]:
    """(label, url) of each link offered on this kind of page for obj."""
    links = []
    for offer in _offers.get(kind, ()):
        link = offer(request, obj)
        if link:
            links.append(link)
    return links
