from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WechatConfig(AppConfig):
    name = "wechat"
    verbose_name = _("WeChat official accounts")

    def ready(self) -> None:
        from timeline.verbs import register

        register(
            {
                "concern.photo_added": _("Photo added by the resident"),
                "concern.located": _("Place given by the resident"),
            }
        )
