"""Ledger exports too large to write while the browser waits (written in the background,
then downloaded by the person who asked for them), and the tallies of closed months that
keep cold dashboards fast (insights/tallies.py)."""

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


# ---- Tallies: closed months of concerns and issues, summed ahead (insights/tallies.py) ----


class Version(models.Model):
    """What a timeline event bumps, in one UPDATE (insights/tallies.py, `bump_for`).

    The row with month DASHBOARDS versions a community's cached dashboards (community
    EVERYTHING: every area's) and keeps its overdue issues; a row with a real month holds
    that community's concern counts of the month and says whether they and the month's
    IssueTally rows still match the raw rows (`tallied == version`)."""

    community = models.BigIntegerField()  # an Area pk, or 0 for "every area"
    month = models.DateField()  # the first day of a tallied month, or 0001-01-01
    version = models.BigIntegerField()
    # The version the month's tallies were computed at (None: never), the moment their
    # 响应率 counts hold from, and the moment they stop holding (an unaccepted issue of the
    # month becomes due for acceptance then; None: never).
    tallied = models.BigIntegerField(null=True, blank=True)
    tallied_at = models.DateTimeField(null=True, blank=True)
    due_changes_at = models.DateTimeField(null=True, blank=True)
    # The current month is tallied up to the start of a day (this one, exclusive); None:
    # the whole month.
    counted_until = models.DateField(null=True, blank=True)
    # A month row: its concerns counted in all and by channel, category and grid.
    concerns = models.JSONField(null=True, blank=True)
    # A DASHBOARDS row: the community's overdue issues as of `tallied_at` (count and the
    # first few), good until `due_changes_at` — metrics.overdue_issues.
    snapshot = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="insights_version_key")
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.month} v{self.version}"


class IssueTally(models.Model):
    """The cohort of one closed month (issues first received in it, merged ones left out),
    counted by community, grid, status and level, with the 响应率 counts."""

    community = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey(Area, null=True, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    status = models.CharField(max_length=20)
    level = models.CharField(max_length=16)
    count = models.PositiveIntegerField()
    due = models.PositiveIntegerField()
    on_time = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["community", "month"])]

    def __str__(self) -> str:
        return f"{self.community_id} {self.month} {self.status}/{self.level}: {self.count}"
