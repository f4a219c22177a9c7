"""反馈: who was told what, through which channel, about which recorded timeline event.

One Delivery row per (event, recipient, channel): the unique key is what makes each person get
one message per event, however often the event is heard.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.masking import mask_phone
from timeline.models import Event


class Delivery(models.Model):
    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In the workbench")  # 站内消息
        EMAIL = "email", _("Email")  # 邮件
        SMS = "sms", _("SMS")  # 短信
        WECHAT = "wechat", _("WeChat template message")  # 公众号模板消息

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")  # 待发送
        SENT = "sent", _("Sent")  # 已发送 (in-app: shown in the workbench)
        DIGEST = "digest", _("Held for the daily digest")  # 待汇总: the person chose a digest
        FAILED = "failed", _("Failed")  # 发送失败: refused at every try; see error
        SENDING = "sending", _("Being sent")  # 发送中: claimed by a worker
        RETRY = "retry", _("To be tried again")  # 待重试: refused; tried again at next_attempt_at
        # 结果待核实: the gateway did not answer, it may have taken the message; asked at
        # next_attempt_at, never sent again blindly (left for staff when it cannot tell).
        UNSURE = "unsure", _("Not confirmed by the gateway")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # "user:12" for staff, "resident:<resident_key>" for residents: one message per person.
    recipient_key = models.CharField(max_length=80)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    # The phone number or email address the message goes to; shown masked everywhere. For a
    # WeChat template message, "follower:<id>" (wechat.sender), never the openid.
    address = models.CharField(_("address"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    url = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    # SMS: the gateway template's kind (notifications.sms.KINDS) and its values.
    kind = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # When a row to be retried (or confirmed) is taken again; when a worker claimed it.
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The gateway's receipt (Alibaba BizId, Tencent SerialNo).
    gateway_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient_key", "channel"], name="delivery_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["user", "channel", "read_at"])]

    def __str__(self) -> str:
        return f"{self.channel} → {self.masked_address or self.recipient_key}"

    @property
    def masked_address(self) -> str:
        if self.channel == self.Channel.SMS:
            return mask_phone(self.address)
        if self.channel == self.Channel.EMAIL and "@" in self.address:
            name, domain = self.address.split("@", 1)
            return f"{name[:1]}***@{domain}"
        return ""


class Preference(models.Model):
    """How a staff member wants email (at once, in a daily digest, or not at all), and whether
    a concern arriving in their grid also comes by SMS (in-app it always comes)."""

    class EmailMode(models.TextChoices):
        IMMEDIATE = "immediate", _("At once")  # 即时
        DIGEST = "digest", _("Daily digest")  # 每日汇总
        OFF = "off", _("No email")  # 不发邮件

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_mode = models.CharField(
        _("email"), max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE
    )
    # Off unless chosen: an SMS costs the community money and wakes a phone.
    sms_new_concerns = models.BooleanField(
        _("SMS when a concern arrives in my grid"), default=False, db_default=False
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.email_mode}"


class Subscription(models.Model):
    """A resident following a community by phone (关注社区): an SMS for each new public topic,
    meeting notice and published result, each with a one-tap stop link (notifications.following).

    Active once the phone is confirmed with the code sent to it, until stopped. The number is
    shown masked to staff, like every phone."""

    community = models.ForeignKey(
        "places.Area",
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    phone = models.CharField(_("phone"), max_length=20)
    # The confirmation code, as a keyed hash (never the code), and its tries.
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("community follower")
        verbose_name_plural = _("community followers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "phone"], name="subscription_once")
        ]

    def __str__(self) -> str:
        return f"{self.community_id} ← {self.masked_phone}"

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.stopped_at is None

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
