from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConcernsConfig(AppConfig):
    name = "concerns"
    verbose_name = _("Concerns (raise)")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from concerns import verbs  # noqa: F401  (declares the app's timeline verbs)
        from concerns.intake.store import forget_places
        from places.models import Area, Building, Compound

        for model in (Area, Compound, Building):
            post_save.connect(forget_places, sender=model, dispatch_uid=f"concerns.{model}.s")
            post_delete.connect(forget_places, sender=model, dispatch_uid=f"concerns.{model}.d")
