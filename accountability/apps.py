from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = _("Action items (do and rate)")

    def ready(self) -> None:
        from accountability import verbs  # noqa: F401  (declares the app's timeline verbs)
