from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WechatConfig(AppConfig):
    name = "wechat"
    verbose_name = _("WeChat official accounts")

    def ready(self) -> None:
        from wechat import verbs  # noqa: F401  (declares the app's timeline verbs)
