from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from notifications import checks  # noqa: F401  (registers the SMS start-up checks)
        from notifications.services import on_event_committed
        from timeline.services import event_committed
        from timeline.verbs import register

        event_committed.connect(on_event_committed, dispatch_uid="notifications.deliver")
        register(
            {
                "follow.requested": _("Asked to follow the community"),
                "follow.confirmed": _("Following the community"),
                "follow.stopped": _("Stopped following the community"),
                "follow.resumed": _("Following the community again"),
            }
        )
