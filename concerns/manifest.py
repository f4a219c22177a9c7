"""What concerns contributes to the site (see core/manifest.py)."""

from concerns import api, demo, errors, panels, public, urls
from core.manifest import Manifest

MANIFEST = Manifest(
    name="concerns",
    errors=errors.CODES,
    url_prefix="concerns/",
    urls=urls,
    router=api.router,
    demo=demo.load,
    workbench_panels=[panels.workbench_panel],
    community_sections=[public.community_section],
)
