from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    name = "opinions"
    verbose_name = _("Public-opinion reports (社情民意)")

    def ready(self) -> None:
        from opinions import verbs  # noqa: F401  (declares the app's timeline verbs)
