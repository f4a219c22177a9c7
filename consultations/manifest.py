"""What consultations contributes to the site (see core/manifest.py)."""

from consultations import api, demo, errors, panels, public, urls
from core.manifest import Manifest

MANIFEST = Manifest(
    name="consultations",
    errors=errors.CODES,
    url_prefix="consultations/",
    urls=urls,
    router=api.router,
    demo=demo.load,
    workbench_panels=[panels.workbench_panel],
    community_sections=[public.community_section],
    links={"issue": [panels.issue_link]},
)
