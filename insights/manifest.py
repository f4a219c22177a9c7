"""What insights contributes to the site (see core/manifest.py)."""

from core.manifest import Manifest
from insights import api, errors, public, urls

MANIFEST = Manifest(
    name="insights",
    errors=errors.CODES,
    url_prefix="insights/",
    urls=urls,
    router=api.router,
    community_sections=[public.community_section],
)
