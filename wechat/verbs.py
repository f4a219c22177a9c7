"""The timeline verbs of concerns sent through a WeChat official account.

Imported from WechatConfig.ready; see timeline.verbs for what each field means.
"""

from django.utils.translation import gettext_lazy as _

from timeline.verbs import Seen, declare

CONCERN_PHOTO_ADDED = declare(
    "concern.photo_added", _("Photo added by the resident"), Seen.INTERNAL
)
CONCERN_LOCATED = declare("concern.located", _("Place given by the resident"), Seen.INTERNAL)
