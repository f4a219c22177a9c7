"""社情民意: CPPCC members' reports of social conditions (public-opinion reports).

A CPPCC member writes what they saw, where, whom it affects and what they suggest. The CPPCC
office of the district reviews it: adopts it (采用), returns it for more detail, or merges it
into a similar report. An adopted report is forwarded to the departments concerned, each with
a date for its written reply (办理答复), which the member rates; or it is taken up as a topic
for a thematic research consultation (专题协商调研).
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation
from concerns.models import Issue
from consultations.models import Topic
from places.models import Area

# Days a department has for its written reply, unless the office sets another date.
REPLY_WORKING_DAYS = 15


def today(now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now())


def add_working_days(start: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `start`. Public holidays are not known
    here: the office moves the date by hand around them."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


class Report(models.Model):
    """One member's 社情民意 report."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")  # 已报送: waiting for the CPPCC office
        RETURNED = "returned", _("Returned for more detail")  # 退回补充: the member revises it
        ADOPTED = "adopted", pgettext_lazy("opinion", "Adopted")  # 已采用: not forwarded yet
        FORWARDED = "forwarded", _("Forwarded")  # 已转办: waiting for departments' replies
        REPLIED = "replied", _("Replied")  # 已答复: every department forwarded to has replied
        MERGED = "merged", _("Merged")  # 已合并: kept as part of a similar report

    # States in which the office may still decide (adopt, return, merge).
    REVIEWABLE = (Status.SUBMITTED,)
    # States of an adopted report (counted as adopted; may be forwarded or taken to a topic).
    ADOPTED_STATUSES = (Status.ADOPTED, Status.FORWARDED, Status.REPLIED)

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("CPPCC member"),
        on_delete=models.PROTECT,
        related_name="opinion_reports",
    )
    # The district whose CPPCC office reviews it (the member's district holding the area).
    district = models.ForeignKey(
        Area, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("where"), on_delete=models.PROTECT, related_name="opinion_reports"
    )
    place = models.CharField(_("compound or place"), max_length=120, blank=True)
    title = models.CharField(_("title"), max_length=120)
    observation = models.TextField(_("what was seen"), max_length=4000)
    affected = models.TextField(_("who it affects"), max_length=1000)
    suggestions = models.TextField(_("suggestions"), max_length=4000)
    # The issue the member started from, if any.
    issue = models.ForeignKey(
        Issue,
        verbose_name=_("issue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinion_reports",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    # The office's latest word to the member (what to add, why merged…).
    review_note = models.TextField(_("office's note"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_reports",
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("thematic topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinion_reports",
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("public-opinion report")
        verbose_name_plural = _("public-opinion reports")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["district", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_adopted(self) -> bool:
        return self.status in self.ADOPTED_STATUSES

    def can_review(self) -> bool:
        return self.status in self.REVIEWABLE

    def can_revise(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.RETURNED)

    def can_forward(self) -> bool:
        return self.status in self.ADOPTED_STATUSES

    def can_take_to_topic(self) -> bool:
        return self.status in self.ADOPTED_STATUSES and self.topic_id is None


class ForwardingQuerySet(models.QuerySet):
    def pending(self) -> "ForwardingQuerySet":
        return self.filter(status=Forwarding.Status.PENDING)

    def overdue(self, now: datetime | None = None) -> "ForwardingQuerySet":
        return self.pending().filter(due_on__lt=today(now))


class Forwarding(models.Model):
    """An adopted report sent to one department for its written reply (转办), and that reply
    with the member's rating of it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting reply")  # 待答复
        REPLIED = "replied", _("Replied")  # 已答复

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")  # 满意
        BASICALLY = "basically", _("Basically satisfied")  # 基本满意
        DISSATISFIED = "dissatisfied", _("Dissatisfied")  # 不满意

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="forwardings")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="opinion_forwardings",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    forwarded_at = models.DateTimeField(_("forwarded"), default=timezone.now)
    due_on = models.DateField(_("reply due"))
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply = models.TextField(_("written reply"), max_length=4000, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("comment"), max_length=1000, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    # Set when the overdue reminder was recorded: one reminder per forwarding.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ForwardingQuerySet.as_manager()

    class Meta:
        verbose_name = _("forwarding to a department")
        verbose_name_plural = _("forwardings to departments")
        ordering = ["forwarded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "organisation"], name="opinion_forwarded_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.organisation_id}"

    def is_overdue_at(self, now: datetime | None = None) -> bool:
        return self.status == self.Status.PENDING and self.due_on < today(now)

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_at()

    @property
    def replied_on_time(self) -> bool:
        return self.replied_at is not None and today(self.replied_at) <= self.due_on

    def can_reply(self) -> bool:
        return self.status == self.Status.PENDING

    def can_rate(self) -> bool:
        return self.status == self.Status.REPLIED and not self.rating
