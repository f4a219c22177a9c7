"""Links a later app offers on an earlier app's page (写社情民意 on an issue, the report behind
a topic), so the earlier app links forward without importing the later one. The roof
registers the offers of every app's manifest at start-up (`yishi.apps`)."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.http import HttpRequest

from core.manifest import Offer

_offers: dict[str, list[Offer]] = defaultdict(list)
_pages: dict[str, Callable[[Any], str]] = {}


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


def register_pages(pages: Mapping[str, Callable[[Any], str]]) -> None:
    _pages.update(pages)


def page_url(name: str, obj: Any) -> str:
    """The address of a later step's page for obj (e.g. "concern_rating": where the resident
    rates the outcome), or "" when no installed step offers that page."""
    page = _pages.get(name)
    return page(obj) if page is not None else ""
