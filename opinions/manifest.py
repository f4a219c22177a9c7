"""What opinions contributes to the site (see core/manifest.py)."""

from core.manifest import Manifest
from opinions import api, demo, errors, panels, urls

MANIFEST = Manifest(
    name="opinions",
    errors=errors.CODES,
    url_prefix="opinions/",
    urls=urls,
    router=api.router,
    demo=demo.load,
    workbench_panels=[panels.workbench_panel],
    links={"issue": [panels.issue_link], "topic": [panels.topic_link]},
)
