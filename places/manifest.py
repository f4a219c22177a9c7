"""What places contributes to the site (see core/manifest.py)."""

from core.manifest import Manifest
from places import api, demo, errors, panels, public, urls

MANIFEST = Manifest(
    name="places",
    errors=errors.CODES,
    url_prefix="places/",
    urls=urls,
    router=api.router,
    demo=demo.load,
    workbench_panels=[panels.workbench_panel],
    community_sections=[public.community_section],
)
