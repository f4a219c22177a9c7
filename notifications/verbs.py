"""The timeline verbs of following a community by phone: declared once, recorded by name.

Imported from NotificationsConfig.ready; see timeline.verbs for what each field means.
"""

from django.utils.translation import gettext_lazy as _

from timeline.verbs import Seen, declare

FOLLOW_REQUESTED = declare("follow.requested", _("Asked to follow the community"), Seen.INTERNAL)
FOLLOW_CONFIRMED = declare("follow.confirmed", _("Following the community"), Seen.INTERNAL)
FOLLOW_STOPPED = declare("follow.stopped", _("Stopped following the community"), Seen.INTERNAL)
FOLLOW_RESUMED = declare("follow.resumed", _("Following the community again"), Seen.INTERNAL)
