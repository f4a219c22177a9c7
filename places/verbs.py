"""The timeline verbs of area profiles (社区画像), kept by the community and street offices.

Imported from PlacesConfig.ready; see timeline.verbs for what each field means.
"""

from django.utils.translation import gettext_lazy as _

from timeline.verbs import Seen, declare

PROFILE_FIGURE_RECORDED = declare(
    "profile.figure_recorded", _("Area figure recorded"), Seen.INTERNAL
)
PROFILE_FACILITY_ADDED = declare(
    "profile.facility_added", _("Facility added to the area profile"), Seen.INTERNAL
)
PROFILE_FACILITY_REMOVED = declare(
    "profile.facility_removed", _("Facility removed from the area profile"), Seen.INTERNAL
)
PROFILE_DESCRIBED = declare("profile.described", _("Area description updated"), Seen.INTERNAL)
