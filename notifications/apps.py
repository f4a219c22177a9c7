from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from notifications import (
            checks,  # noqa: F401  (registers the SMS start-up checks)
            verbs,  # noqa: F401  (declares the app's timeline verbs)
        )
        from notifications.services import on_event_committed
        from timeline.services import event_committed

        event_committed.connect(on_event_committed, dispatch_uid="notifications.deliver")
