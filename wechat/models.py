"""A community's WeChat Official Account (公众号) and the residents who write to it.

An openid is personal data: it is kept here only to answer and notify its resident, never
shown on a page; concerns count the resident by `Follower.resident_key`, a keyed hash of it.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerns.models import Concern
from places.models import Area
from wechat import sealed


class OfficialAccount(models.Model):
    """What the community's 公众号 shares with Yishi (公众号后台 → 开发 → 基本配置)."""

    community = models.OneToOneField(
        Area,
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        related_name="wechat_account",
        limit_choices_to={"kind": Area.Kind.COMMUNITY},
    )
    name = models.CharField(_("account name"), max_length=60, blank=True)
    app_id = models.CharField(_("AppID"), max_length=40, blank=True)
    # Sealed with wechat.sealed (Fernet): never stored nor shown in clear.
    token_sealed = models.TextField(blank=True, editable=False)
    aes_key_sealed = models.TextField(blank=True, editable=False)
    app_secret_sealed = models.TextField(blank=True, editable=False)
    token = sealed.Sealed("token_sealed")
    aes_key = sealed.Sealed("aes_key_sealed")
    app_secret = sealed.Sealed("app_secret_sealed")
    template_id = models.CharField(
        _("template id"),
        max_length=64,
        blank=True,
        help_text=_("The template message residents are told of a change of status with."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("WeChat official account")
        verbose_name_plural = _("WeChat official accounts")

    def __str__(self) -> str:
        return self.name or str(self.community)

    @property
    def sends_templates(self) -> bool:
        return bool(self.active and self.app_id and self.app_secret_sealed and self.template_id)


def resident_key(openid: str) -> str:
    """How concerns count a follower: a keyed hash of the openid, never the openid."""
    secret = (getattr(settings, "FIELD_KEY", "") or settings.SECRET_KEY).encode()
    digest = hmac.new(secret, f"wechat-openid\n{openid}".encode(), hashlib.sha256).hexdigest()
    return f"wx:{digest[:40]}"


class Follower(models.Model):
    """A resident who wrote to a community's account, known by their openid there."""

    account = models.ForeignKey(OfficialAccount, on_delete=models.CASCADE, related_name="followers")
    openid = models.CharField(max_length=64)
    resident_key = models.CharField(max_length=64, editable=False)
    # Given by the resident ("手机 138…"): their concerns then count by it, and status changes
    # reach them by SMS when the account sends no template messages.
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    subscribed = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["account", "openid"], name="follower_once_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.resident_key[:11]}…"


class Report(models.Model):
    """A concern that came in through the account, with the place the resident sent."""

    concern = models.OneToOneField(Concern, on_delete=models.CASCADE, related_name="wechat")
    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="reports")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    place_label = models.CharField(_("place"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("concern sent through WeChat")
        verbose_name_plural = _("concerns sent through WeChat")
        indexes = [models.Index(fields=["follower", "-created_at"])]

    def __str__(self) -> str:
        return str(self.concern)
