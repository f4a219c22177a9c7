"""民事民办、民事民评: action items publicly listed (挂牌), carried out, rated by the residents
behind them and closed (销号).

An action item comes from a resolution of a meeting, or from an issue that staff settle without
a meeting. The residents who raised its issues rate it once it is done; a dissatisfied share
above the community's rule reopens it. Matters settled without an item (in the grid, or by the
community) are rated the same way, as issues.
"""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation
from concerns.models import Concern, Issue, new_story_token
from core.uploads import StoredPhoto
from places.models import Area


def today(now: datetime | None = None) -> date:
    """The local date at `now` (the clock can be frozen in tests by passing it)."""
    return timezone.localdate(now or timezone.now())


class ActionItemQuerySet(models.QuerySet):
    def open(self) -> "ActionItemQuerySet":
        """Still with its owner (not done, not closed): what is reminded and can be late."""
        return self.exclude(status__in=ActionItem.FINISHED_STATUSES)

    def not_closed(self) -> "ActionItemQuerySet":
        """未销号: everything listed and not yet closed, items awaiting verification too."""
        return self.exclude(status=ActionItem.Status.CLOSED)

    def overdue(self, now: datetime | None = None) -> "ActionItemQuerySet":
        return self.open().filter(deadline__lt=today(now))


class ActionItem(models.Model):
    """Something agreed, publicly listed with an owner and a deadline (挂牌事项)."""

    class Status(models.TextChoices):
        LISTED = "listed", _("Listed")  # 已挂牌: published, the owner has not reported yet
        IN_PROGRESS = "in_progress", _("In progress")  # 推进中: the owner has reported progress
        DONE = "done", _("Done, awaiting verification")  # 待验收: owner says done; residents rate
        CLOSED = (
            "closed",
            pgettext_lazy("action item", "Closed"),
        )  # 已销号: verified by the listing community and closed
        REOPENED = "reopened", _("Reopened")  # 已重启: residents dissatisfied or staff reopened

    # Statuses in which the owner is no longer expected to work on it (not overdue).
    FINISHED_STATUSES = (Status.DONE, Status.CLOSED)
    # Statuses in which the owner may report progress.
    WORKING_STATUSES = (Status.LISTED, Status.IN_PROGRESS, Status.REOPENED)

    resolution = models.ForeignKey(
        "consultations.Resolution",
        verbose_name=_("resolution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    # The residents behind these issues are the ones asked to rate the item.
    issues = models.ManyToManyField(
        Issue, verbose_name=_("issues"), related_name="action_items", blank=True
    )
    community = models.ForeignKey(
        Area,
        verbose_name=_("listing community"),
        on_delete=models.PROTECT,
        related_name="action_items",
        limit_choices_to={"kind": Area.Kind.COMMUNITY},
    )
    title = models.CharField(_("what will be done"), max_length=160)
    description = models.TextField(_("details"), blank=True)
    owner_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("owner organisation"),
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_action_items",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.LISTED, db_index=True
    )
    listed_at = models.DateTimeField(_("listed"), default=timezone.now)
    deadline = models.DateField(_("deadline"))
    # Evaluation round: each reopening asks the residents again.
    round = models.PositiveSmallIntegerField(default=1)
    done_at = models.DateTimeField(_("reported done"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(pgettext_lazy("action item", "closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("listed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept on the item so the public board reads one row per item.
    latest_progress = models.CharField(_("latest progress"), max_length=200, blank=True)
    latest_progress_at = models.DateTimeField(null=True, blank=True)
    residents_count = models.PositiveIntegerField(_("residents behind it"), default=0)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    # The unguessable part of the whole-story page's address (never a counted id).
    story_token = models.CharField(
        _("story address"), max_length=32, unique=True, null=True, default=new_story_token
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["community", "status"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue_at(self, now: datetime | None = None) -> bool:
        return self.status not in self.FINISHED_STATUSES and self.deadline < today(now)

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_at()

    def can_report_progress(self) -> bool:
        return self.status in self.WORKING_STATUSES

    def can_mark_done(self) -> bool:
        return self.status in self.WORKING_STATUSES

    def can_verify(self) -> bool:
        return self.status == self.Status.DONE and self.verified_at is None

    def can_close(self) -> bool:
        return self.status == self.Status.DONE and self.verified_at is not None

    def can_reopen(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.CLOSED)

    def can_be_rated(self) -> bool:
        return self.status == self.Status.DONE

    def concerns(self) -> "models.QuerySet[Concern]":
        """The concerns whose residents are behind this item."""
        return Concern.objects.filter(issue__action_items=self)


class Milestone(models.Model):
    """A step on the way, with its own date (shown on the item's page)."""

    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=120)
    due_on = models.DateField(_("due"))
    reached_at = models.DateTimeField(_("reached"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ProgressUpdate(models.Model):
    """What the owner reports, with photos; shown on the item's timeline."""

    action_item = models.ForeignKey(
        ActionItem, on_delete=models.CASCADE, related_name="progress_updates"
    )
    text = models.TextField(_("progress"), max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone reached"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("reported"), default=timezone.now)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class ProgressPhoto(StoredPhoto):
    """A photo of the work, public like the item it shows (served by views.progress_photo)."""

    url_name = "accountability:photo"

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="progress/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")


class Evaluation(models.Model):
    """One resident's rating (民事民评), given through their tracking code, of a matter done:
    an action item reported done, or a matter settled in the grid or by the community
    (an issue settled or resolved). One per resident per round: reopening asks again."""

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")  # 满意
        BASICALLY = "basically", _("Basically satisfied")  # 基本满意
        DISSATISFIED = "dissatisfied", _("Dissatisfied")  # 不满意

    # The matter rated: always the issue of the resident's concern; with an action item when
    # the rating is of that item (its round), without one when it is of the issue itself.
    issue = models.ForeignKey(
        Issue,
        verbose_name=_("issue"),
        on_delete=models.PROTECT,
        related_name="evaluations",
        db_index=False,  # indexed with round in Meta.indexes
    )
    # The issue's community, kept on the rating so that 满意率 of an area reads the ratings of
    # a period by index, without going through every issue of the area.
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    action_item = models.ForeignKey(
        ActionItem, null=True, blank=True, on_delete=models.CASCADE, related_name="evaluations"
    )
    # The concern whose tracking code was used; resident_key makes it one rating per person.
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="evaluations")
    resident_key = models.CharField(max_length=64, editable=False)
    # The item's round, or the issue's for a matter rating.
    round = models.PositiveSmallIntegerField(default=1)
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("rated"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["action_item", "resident_key", "round"], name="evaluation_once_per_resident"
            ),
            models.UniqueConstraint(
                fields=["issue", "resident_key", "round"],
                condition=models.Q(action_item__isnull=True),
                name="evaluation_once_per_matter",
            ),
        ]
        indexes = [
            models.Index(fields=["issue", "round"]),
            models.Index(fields=["community", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.action_item_id or self.issue_id}: {self.rating}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A rating is always about the issue of the concern whose code was used.
        if self.issue_id is None and self.concern_id is not None:
            self.issue_id = Concern.objects.values_list("issue_id", flat=True).get(
                pk=self.concern_id
            )
        if self.community_id is None and self.issue_id is not None:
            self.community_id = self.issue.community_id
        super().save(*args, **kwargs)


class EvaluationRule(models.Model):
    """How a community decides that residents' dissatisfaction reopens an item."""

    community = models.OneToOneField(
        Area,
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        related_name="evaluation_rule",
        limit_choices_to={"kind": Area.Kind.COMMUNITY},
    )
    # Reopen when dissatisfied ratings are MORE than this share of the residents behind the
    # item (or of those who rated, once everyone has). 50 means "a majority".
    reopen_above_percent = models.PositiveSmallIntegerField(
        _("reopen when dissatisfied share is above (%)"), default=50
    )

    class Meta:
        verbose_name = _("evaluation rule")
        verbose_name_plural = _("evaluation rules")

    def __str__(self) -> str:
        return f"{self.community}: >{self.reopen_above_percent}%"

    @classmethod
    def percent_for(cls, community: Area) -> int:
        rule = cls.objects.filter(community=community).first()
        return rule.reopen_above_percent if rule else 50

    @classmethod
    def reopens(cls, community: Area, dissatisfied: int, base: int) -> bool:
        """Whether `dissatisfied` residents of `base` pass the community's rule."""
        percent = cls.percent_for(community)
        return base > 0 and dissatisfied * 100 > percent * base


class Reminder(models.Model):
    """A reminder claimed by `send_reminders`: the unique key makes each one go out once,
    however often (and however many copies of) the command runs."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Deadline approaching")
        OVERDUE = "overdue", _("Overdue")

    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The deadline the reminder is about: a new deadline earns new reminders.
    deadline = models.DateField()
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["action_item", "kind", "deadline"], name="reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.action_item_id} {self.deadline}"
