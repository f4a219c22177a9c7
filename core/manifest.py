"""What an app contributes to the site, declared in one place: each app's `manifest.py` holds
one `Manifest`, and the roof (`yishi/manifests.py`) lists them in workflow order. The roof
mounts the URLs and API routers, runs the demo loaders and shows the panels and sections from
there; an earlier app shows a later app's links through `core.links` without importing it."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.http import HttpRequest

from core.errors import ErrorCodes

Panel = Callable[[HttpRequest], str]
Section = Callable[[HttpRequest, Any], str]
Offer = Callable[[HttpRequest, Any], "tuple[str, str] | None"]


@dataclass(frozen=True)
class Manifest:
    """One app's contributions. `links` maps a page kind ("issue", "topic") to the functions
    that offer a link on that page of an earlier app."""

    name: str
    url_prefix: str = ""
    urls: ModuleType | None = None
    router: Any = None  # a ninja Router, mounted under /api/v1/
    demo: Callable[[Any], None] | None = None
    workbench_panels: Sequence[Panel] = ()
    community_sections: Sequence[Section] = ()
    links: dict[str, Sequence[Offer]] = field(default_factory=dict)
    # Pages this app offers to earlier apps by name (core.links.page_url): name → obj → url.
    pages: dict[str, Callable[[Any], str]] = field(default_factory=dict)
    # The error codes this app's raises carry, from its `errors.py` (core.errors.declare).
    errors: ErrorCodes = field(default_factory=dict)
