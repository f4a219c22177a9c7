from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultations (discuss and decide)")

    def ready(self) -> None:
        from consultations import verbs  # noqa: F401  (declares the app's timeline verbs)
