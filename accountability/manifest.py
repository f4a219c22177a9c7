"""What accountability contributes to the site (see core/manifest.py)."""

from django.urls import reverse

from accountability import api, demo, errors, panels, public, urls
from core.manifest import Manifest

MANIFEST = Manifest(
    name="accountability",
    errors=errors.CODES,
    url_prefix="accountability/",
    urls=urls,
    router=api.router,
    demo=demo.load,
    workbench_panels=[panels.workbench_panel],
    community_sections=[public.community_section],
    links={"resolution": [panels.resolution_link]},
    pages={
        "concern_rating": lambda concern: reverse(
            "accountability:rate", args=[concern.tracking_code]
        ),
        "concern_story": lambda concern: reverse(
            "accountability:story_code", args=[concern.tracking_code]
        ),
        "issue_story": lambda issue: reverse(
            "accountability:story_public", args=[issue.story_token]
        ),
    },
)
