"""民事民提: concerns (one person's report through one channel) grouped into issues.

An issue counts the distinct residents behind it (登记在册，统计人数). Small matters are
settled in the grid, bigger ones escalated (小事不出网格，大事不出社区).
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from concerns import codes
from core.uploads import StoredPhoto
from places.models import Area, Building, Compound


def new_story_token() -> str:
    return secrets.token_urlsafe(16)


def neutral_title(place: str, category: "Category | None") -> str:
    """A public title that repeats nobody's words: the place and the kind of matter."""
    kind = category.name if category is not None else str(_("Matter raised by residents"))
    return f"{place} · {kind}" if place else kind


class Category(models.Model):
    """A kind of matter, with its time limits (configurable by administrators)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    group = models.CharField(_("group"), max_length=60, blank=True)
    # Words that hint at this category, used to suggest it and as Open311 keywords.
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    accept_hours = models.PositiveIntegerField(_("accept within (hours)"), default=24)
    respond_hours = models.PositiveIntegerField(_("respond within (hours)"), default=48)
    resolve_days = models.PositiveIntegerField(_("resolve within (days)"), default=7)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Issue(models.Model):
    """A matter shared by one or more concerns, counted by the residents behind it."""

    class Status(models.TextChoices):
        NEW = "new", _("Awaiting acceptance")  # 待受理: reported, nobody has taken it yet
        ACCEPTED = "accepted", _("Accepted")  # 已受理: someone at its level owns it
        IN_PROGRESS = "in_progress", _("Being handled")  # 处理中: site visit made, work under way
        IN_CONSULTATION = "in_consultation", _("In consultation")  # 协商中: part of a topic
        IN_ACTION = "in_action", _("Action items listed")  # 挂牌落实中: agreed, being carried out
        SETTLED = "settled", _("Settled")  # 已办结: settled with an outcome, no meeting needed
        RESOLVED = "resolved", _("Resolved")  # 已解决: its action items are all closed
        MERGED = "merged", _("Merged")  # 已合并: its concerns now belong to another issue

    OPEN_STATUSES = (
        Status.NEW,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.IN_CONSULTATION,
        Status.IN_ACTION,
    )

    class Level(models.TextChoices):
        GRID = "grid", _("Grid")  # 网格: the grid worker handles it
        COMMUNITY = "community", _("Community")  # 社区
        STREET = "street", _("Subdistrict")  # 街道
        DEPARTMENT = "department", _("Government department")  # 职能部门

    # Indexed through Meta.indexes (community or grid first), not on their own.
    community = models.ForeignKey(
        Area,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="issues",
        db_index=False,
    )
    grid = models.ForeignKey(
        Area,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grid_issues",
        db_index=False,
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT
    )
    # The working title staff see; at first the opening words of the first resident, so it
    # is never shown to the public (public_title is).
    title = models.CharField(_("title"), max_length=120)
    # What the public reads (boards, story pages, Open311, the API): made neutral from the
    # place and category when the issue opens, until staff set or confirm one.
    # db_default: rows written by code that predates the column still insert.
    public_title = models.CharField(
        _("public title"), max_length=120, blank=True, default="", db_default=""
    )
    public_title_confirmed_at = models.DateTimeField(
        _("public title confirmed"), null=True, blank=True
    )
    # When staff made the whole story public (topics and action items are public anyway).
    story_published_at = models.DateTimeField(_("story published"), null=True, blank=True)
    # The unguessable part of the whole-story page's address (never a counted id).
    story_token = models.CharField(
        _("story address"), max_length=32, unique=True, null=True, default=new_story_token
    )
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.GRID)
    escalated_to = models.ForeignKey(
        Organisation,
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_issues",
    )
    residents_count = models.PositiveIntegerField(_("residents"), default=0, db_index=True)
    concerns_count = models.PositiveIntegerField(_("concerns"), default=0)
    first_received_at = models.DateTimeField(_("first received"), default=timezone.now)
    last_received_at = models.DateTimeField(_("last received"), default=timezone.now)
    accept_due_at = models.DateTimeField(_("accept by"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    # Evaluation round, kept as an action item keeps its own: 1, then one more each time the
    # matter is reopened (reopen_issue), when residents are asked to rate it again.
    round = models.PositiveSmallIntegerField(_("evaluation round"), default=1, db_default=1)
    # Why it went up a level (or came back down), as the last escalation said.
    escalation_reason = models.TextField(_("reason for escalation"), blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_issues"
    )
    # Segmented words of the issue's concerns (jieba), kept for grouping new concerns.
    terms = models.TextField(blank=True, editable=False)
    # Staff text search (concerns.search): the jieba words of its titles, summary, outcome and
    # concerns, refreshed by a search that finds it older than the issue's last change (so
    # registering a concern pays nothing for it). Full-text indexed on PostgreSQL.
    search_text = models.TextField(blank=True, default="", db_default="", editable=False)
    search_indexed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["-residents_count", "first_received_at"]
        # Every concern submitted rewrites its issue's row, and PostgreSQL then writes an entry
        # in every index of the table: only indexes that queries use are kept.
        indexes = [
            models.Index(fields=["community", "status"]),
            models.Index(fields=["grid", "status"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def public_title_confirmed(self) -> bool:
        return self.public_title_confirmed_at is not None

    @property
    def story_published(self) -> bool:
        return self.story_published_at is not None

    @property
    def title_for_public(self) -> str:
        """The title for public pages: the public one, masked (never the working title)."""
        from timeline.public import mask_public_text

        if self.public_title:
            return mask_public_text(self.public_title)
        return neutral_title(self.community.name, self.category)

    @property
    def is_overdue(self) -> bool:
        now = timezone.now()
        if self.status == self.Status.NEW and self.accept_due_at and self.accept_due_at < now:
            return True
        return bool(self.is_open and self.resolve_due_at and self.resolve_due_at < now)

    @property
    def outcome_stands(self) -> bool:
        """Settled or resolved, and not reopened since: its outcome is what residents rate."""
        return self.status in (self.Status.SETTLED, self.Status.RESOLVED)

    @property
    def settled_in_grid(self) -> bool:
        return self.status == self.Status.SETTLED and self.level == self.Level.GRID


class Concern(models.Model):
    """One person's report through one channel."""

    class Channel(models.TextChoices):
        WEB = "web", _("Resident's own form")  # 居民自助（手机网页）
        PHONE = "phone", _("Public phone")  # 社区公共电话
        WECHAT = "wechat", _("WeChat official account")  # 公众号
        GRID_PHONE = "grid_phone", _("Grid phone")  # 网格手机
        LETTER = "letter", _("Letter")  # 来信
        VISIT = "visit", _("Visit")  # 来访
        PATROL = "patrol", _("Grid patrol")  # 网格排查
        API = "api", _("Partner system")  # 第三方系统 (Open311, 小程序)
        IMPORT = "import", _("Imported register")  # 台账导入

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    # The resident's secret (concerns.codes): shown to that resident only. Unique through
    # Meta.constraints (no second, pattern-matching index on PostgreSQL).
    tracking_code = models.CharField(_("tracking code"), max_length=12)
    # What lists, Open311 and staff name the concern by: random, so it says nothing of the
    # tracking code nor of how many concerns there are.
    public_id = models.CharField(
        _("public id"), max_length=16, unique=True, default=codes.new_public_id, editable=False
    )
    # Indexed through Meta.indexes (issue or community first), not on their own.
    issue = models.ForeignKey(
        Issue,
        verbose_name=_("issue"),
        on_delete=models.PROTECT,
        related_name="concerns",
        db_index=False,
    )
    community = models.ForeignKey(
        Area,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="concerns",
        db_index=False,
    )
    grid = models.ForeignKey(
        Area,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grid_concerns",
    )
    compound = models.ForeignKey(
        Compound, verbose_name=_("compound"), null=True, blank=True, on_delete=models.SET_NULL
    )
    building = models.ForeignKey(
        Building, verbose_name=_("building"), null=True, blank=True, on_delete=models.SET_NULL
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT
    )
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    content = models.TextField(_("content"), max_length=4000)
    reporter_name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Who the resident is for counting: the same phone or household counts once.
    resident_key = models.CharField(max_length=64, editable=False)
    # The household (building + room) when the address names one: a second way to be the same.
    household_key = models.CharField(max_length=64, blank=True, editable=False)
    # Staff have looked at the grouping and agree with it.
    grouping_confirmed = models.BooleanField(default=False, editable=False)
    # How alike the concern was to its issue when it was grouped (0–1), for staff review.
    similarity = models.FloatField(null=True, blank=True, editable=False)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registered_concerns",
    )
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-received_at"]
        # Each index is written on every submit: only those that queries use.
        indexes = [
            models.Index(fields=["community", "received_at"]),
            models.Index(fields=["issue", "resident_key"]),
            models.Index(fields=["issue", "household_key"]),
            # The per-phone submit limit: a resident's concerns in the last hour.
            models.Index(fields=["resident_key", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tracking_code"], name="concern_tracking_code_unique"),
            models.UniqueConstraint(
                fields=["idempotency_key"], name="concern_idempotency_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.public_id


class Photo(StoredPhoto):
    """A photo sent with a concern or taken on a site visit.

    Private to staff whose scope covers its issue until staff publish it (a resident's photo
    may show their home, their face or their neighbour's door). Served by
    concerns.views.photo, never from a public media folder."""

    url_name = "concerns:photo"

    concern = models.ForeignKey(
        Concern, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    issue = models.ForeignKey(
        Issue, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="photos/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Staff published it (actions.publish_photo): anyone with its address may see it.
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class IssueKey(models.Model):
    """The term index of the grouping step: an open issue under each of its keys (terms,
    concepts, places of its concerns: concerns.intake.model.index_keys). A new concern's
    candidates are the open issues of its community sharing the most keys with it, found
    through the (community, key) index, whatever the number of open issues. Rows go when
    their issue closes or is merged (concerns.intake.store.unindex)."""

    community = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            # Also the lookup's index: community and key first.
            models.UniqueConstraint(fields=["community", "key", "issue"], name="issue_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.issue_id}"


class TermCount(models.Model):
    """How many concerns of a district contain a term (the learnt IDF of the grouping step);
    the row with the empty term counts the district's concerns."""

    district = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=64)
    documents = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "term"], name="term_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.term}: {self.documents}"


class GroupingLabel(models.Model):
    """A labelled pair from staff's review of the grouping: this concern is (or is not) the
    same matter as that issue, with the texts as they were, so the pair can be rebuilt for
    fitting the model (`manage.py fit_grouping`) and for `manage.py grouping_report`."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm", _("Grouping confirmed")
        MOVE = "move", _("Concern moved")
        MERGE = "merge", _("Issues merged")
        SPLIT = "split", _("Issue split")

    community = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    # The community's district: models are fitted per district.
    district = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="+")
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="+")
    same = models.BooleanField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    concern_text = models.TextField()
    # The texts of the issue's other concerns when staff decided (at most a few dozen).
    issue_texts = models.JSONField(default=list)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.concern_id} {'=' if self.same else '≠'} {self.issue_id}"
