from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Insights and ledgers")

    def ready(self) -> None:
        from insights.cache import on_events_committed
        from timeline.services import events_committed

        events_committed.connect(on_events_committed, dispatch_uid="insights.cache")
