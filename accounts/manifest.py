"""What accounts contributes to the site (see core/manifest.py)."""

from accounts import api, demo, errors
from core.manifest import Manifest

# The account pages are mounted by the roof itself (accounts/ holds the login page).
MANIFEST = Manifest(name="accounts", errors=errors.CODES, router=api.router, demo=demo.load)
