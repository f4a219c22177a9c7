"""Ledger exports too large to write while the browser waits: written in the background,
then downloaded by the person who asked for them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from places.models import Area


class LedgerExport(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be written")  # 排队中
        RUNNING = "running", _("Being written")  # 生成中
        DONE = "done", _("Ready to download")  # 可下载
        FAILED = "failed", _("Failed")  # 生成失败

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ledger_exports"
    )
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.CASCADE)
    kind = models.CharField(_("ledger"), max_length=20)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    # Decided when asked for (the role may change before the file is written).
    personal_data = models.BooleanField(default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(upload_to="ledgers/%Y/%m/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ledger export")
        verbose_name_plural = _("ledger exports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.area_id} {self.start}–{self.end}"
