"""Every app's manifest, in the order the workflow depends on them (see ARCHITECTURE.md).
Adding an app: write its `manifest.py`, add it to INSTALLED_APPS and here."""

from accountability.manifest import MANIFEST as accountability
from accounts.manifest import MANIFEST as accounts
from concerns.manifest import MANIFEST as concerns
from consultations.manifest import MANIFEST as consultations
from core.manifest import Manifest
from insights.manifest import MANIFEST as insights
from notifications.manifest import MANIFEST as notifications
from open311.manifest import MANIFEST as open311
from opinions.manifest import MANIFEST as opinions
from places.manifest import MANIFEST as places
from wechat.manifest import MANIFEST as wechat

MANIFESTS: tuple[Manifest, ...] = (
    places,
    accounts,
    concerns,
    consultations,
    accountability,
    opinions,
    insights,
    open311,
    wechat,
    notifications,
)
