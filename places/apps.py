from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = _("Places")

    def ready(self) -> None:
        from timeline.verbs import register

        register(
            {
                "profile.figure_recorded": _("Area figure recorded"),
                "profile.facility_added": _("Facility added to the area profile"),
                "profile.facility_removed": _("Facility removed from the area profile"),
                "profile.described": _("Area description updated"),
            }
        )
