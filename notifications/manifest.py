"""What notifications contributes to the site (see core/manifest.py)."""

from core.manifest import Manifest
from notifications import errors, follow_views, panels, urls

MANIFEST = Manifest(
    name="notifications",
    url_prefix="notifications/",
    urls=urls,
    workbench_panels=[panels.workbench_panel],
    community_sections=[follow_views.community_section],
    errors=errors.CODES,
)
