"""What open311 contributes to the site (see core/manifest.py)."""

from core.manifest import Manifest
from open311 import urls

MANIFEST = Manifest(name="open311", url_prefix="open311/", urls=urls)
