"""民事民议、民事民决: topics, consultation meetings of every form, and their resolutions.

A topic gathers one or more issues (or comes from above, as a CPPCC thematic topic); a meeting
takes topics to the parties concerned; what the meeting agrees is recorded as resolutions,
which the next step (accountability) lists publicly as action items (挂牌).
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from concerns.models import Issue
from places.models import Area


def _recorded_by() -> models.ForeignKey:
    """The staff account that wrote a row into the minutes; the row stays if it goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class Venue(models.Model):
    """Where a community meets: an indoor 议事厅 or an open-air 议事角."""

    class Kind(models.TextChoices):
        HALL = "hall", _("Consultation hall")  # 议事厅
        CORNER = "corner", _("Consultation corner")  # 议事角: open air, by a gate or a green

    community = models.ForeignKey(
        Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="venues"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.HALL)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["community__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="venue_unique_in_community")
        ]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    """议题: a matter put to consultation, made from issues or set directly."""

    class Source(models.TextChoices):
        ISSUES = "issues", _("From residents' issues")  # 由居民诉求汇集
        DIRECT = "direct", _("Set directly")  # 直接设立, e.g. a CPPCC thematic topic

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")  # 已提出: waiting for the community to take it up
        ACCEPTED = "accepted", _("Accepted")  # 已采纳: will go to a meeting
        SCHEDULED = "scheduled", _("Scheduled")  # 已排期: on an announced meeting's agenda
        DELIBERATED = "deliberated", _("Deliberated")  # 已协商: discussed, nothing decided yet
        DECIDED = "decided", _("Decided")  # 已形成成果: at least one resolution settles it
        SHELVED = "shelved", _("Shelved")  # 已搁置: not taken further, with a reason

    OPEN_STATUSES = (Status.PROPOSED, Status.ACCEPTED, Status.SCHEDULED, Status.DELIBERATED)

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    # The community, or for a CPPCC thematic topic the district (or street) it concerns.
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="topics"
    )
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.DIRECT
    )
    issues = models.ManyToManyField(
        Issue, verbose_name=_("issues"), related_name="topics", blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    shelved_reason = models.TextField(_("reason for shelving"), blank=True)
    # Residents may support a public topic (民事民议); staff-only topics are not shown.
    public = models.BooleanField(_("public"), default=True)
    # Distinct residents behind the topic's issues, counted together when it was made.
    residents_count = models.PositiveIntegerField(_("residents"), default=0)
    supporters_count = models.PositiveIntegerField(_("supporters"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["area", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class TopicSupport(models.Model):
    """A resident's support for a topic: once per resident (phone hash), never a name."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="supports")
    resident_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("topic support")
        verbose_name_plural = _("topic supports")
        constraints = [
            models.UniqueConstraint(fields=["topic", "resident_key"], name="support_once")
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}:{self.resident_key[:8]}"


class Meeting(models.Model):
    """A consultation meeting of one of the forms the seed names."""

    class Form(models.TextChoices):
        COUNCIL = "council", _("Consultation council")  # 议事会
        DIALOGUE = "dialogue", _("Open dialogue")  # 恳谈会
        HEARING = "hearing", _("Hearing")  # 听证会
        REVIEW = "review", _("Review meeting")  # 评议会
        JOINT = "joint", _("Joint meeting")  # 联席会: e.g. with the property companies
        THREE_PARTY = "three_party", _("Three-party consultation")  # 三方协商: 有事好商量
        THEMATIC_RESEARCH = (
            "thematic_research",
            _("Thematic research consultation"),
        )  # 专题协商调研: with field visits

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # 草稿: being prepared, not public
        ANNOUNCED = "announced", _("Announced")  # 已公告: notice on the public page
        HELD = "held", _("In session")  # 进行中: participants signing in, statements recorded
        CLOSED = "closed", _("Closed")  # 已结束: minutes complete, result not yet public
        PUBLISHED = "published", _("Result published")  # 已公示: result on the public page

    class PassRule(models.TextChoices):
        MAJORITY = "majority", _("More than half of the votes cast")  # 过半数
        TWO_THIRDS = "two_thirds", _("Two thirds of the votes cast")  # 三分之二以上

    title = models.CharField(_("title"), max_length=120)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices, default=Form.COUNCIL)
    # The community (or for a CPPCC consultation, the district) the meeting belongs to.
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="meetings"
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("Where, if not at a venue.")
    )
    convener = models.ForeignKey(
        Organisation,
        verbose_name=_("convener"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="convened_meetings",
    )
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("convened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="convened_meetings",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("notice (days ahead)"), default=3)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # The quorum rule: how many voting participants must be signed in for a vote to count,
    # and what share of the votes cast carries a motion.
    quorum = models.PositiveSmallIntegerField(_("quorum (signed in)"), default=0)
    pass_rule = models.CharField(
        _("passes with"), max_length=12, choices=PassRule.choices, default=PassRule.MAJORITY
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="meetings", blank=True
    )
    agenda = models.TextField(_("agenda"), blank=True)
    materials = models.TextField(_("materials"), blank=True)
    result_summary = models.TextField(_("result notice"), blank=True)
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)
    held_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["area", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT

    # What a notice or the minutes print as the meeting's time: once it has been held, when it
    # really opened and closed (the planned start beside the actual end read "11:40–11:34");
    # before that, the planned start and end.
    @property
    def shown_start(self) -> datetime:
        return self.held_at or self.starts_at

    @property
    def shown_end(self) -> datetime | None:
        if self.held_at:
            return self.closed_at  # None while the meeting is still in session
        return self.ends_at

    @property
    def where(self) -> str:
        if self.venue_id:
            return f"{self.venue.name}（{self.venue.address}）"
        return self.place


class Participant(models.Model):
    """Someone invited to a meeting, by the party they speak for."""

    class Party(models.TextChoices):
        RESIDENT = "resident", _("Resident representative")  # 居民代表
        PROPERTY_COMPANY = "property_company", _("Property company")  # 物业公司
        OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")  # 业委会
        DEPARTMENT = "department", _("Government department")  # 职能部门
        CPPCC_MEMBER = "cppcc_member", _("CPPCC member")  # 政协委员
        PARTY_MEMBER = "party_member", _("Party member")  # 党员
        VOLUNTEER = "volunteer", _("Volunteer")  # 志愿者
        BUILDING_HEAD = "building_head", _("Building head")  # 楼道长
        COMMUNITY = "community", _("Community")  # 社区 / 街道

    class Reply(models.TextChoices):
        PENDING = "pending", _("No reply yet")  # 未回复
        ACCEPTED = "accepted", _("Will attend")  # 确认参加
        DECLINED = "declined", _("Cannot attend")  # 不能参加

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_participations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_participations",
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    may_vote = models.BooleanField(_("may vote"), default=True)
    reply = models.CharField(
        _("reply"), max_length=10, choices=Reply.choices, default=Reply.PENDING
    )
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    # A short code given with the invitation, entered on a phone to sign in on the day.
    sign_in_code = models.CharField(_("sign-in code"), max_length=8)
    signed_in_at = models.DateTimeField(_("signed in"), null=True, blank=True)
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["party", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "sign_in_code"], name="participant_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.speaker

    @property
    def speaker(self) -> str:
        """How the minutes name the participant: organisation and name."""
        if self.organisation_id:
            return f"{self.organisation.short_name or self.organisation.name} {self.name}".strip()
        return self.name

    @property
    def signed_in(self) -> bool:
        return self.signed_in_at is not None


class Statement(models.Model):
    """What a participant (or party) said: a view (各抒己见) or a proposal put to decision."""

    class Kind(models.TextChoices):
        STATEMENT = "statement", _("Statement")  # 发言
        PROPOSAL = "proposal", _("Proposal")  # 建议 / 提议

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="statements")
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statements",
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statements",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STATEMENT)
    text = models.TextField(_("text"), max_length=4000)
    recorded_by = _recorded_by()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Motion(models.Model):
    """The decision on a proposal: by consensus (一致同意) or by vote."""

    class Method(models.TextChoices):
        CONSENSUS = "consensus", _("Consensus")  # 一致同意
        VOTE = "vote", _("Vote")  # 表决

    class Status(models.TextChoices):
        OPEN = "open", _("Open")  # 表决中
        CLOSED = "closed", _("Closed")  # 已结束

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")  # 待定
        ADOPTED = "adopted", _("Adopted")  # 通过
        REJECTED = "rejected", _("Rejected")  # 未通过
        NO_QUORUM = "no_quorum", _("No quorum")  # 人数不足，表决无效

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="motions")
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="motions",
    )
    proposal = models.ForeignKey(
        Statement,
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="motions",
    )
    text = models.TextField(_("motion"), max_length=2000)
    method = models.CharField(
        _("decided by"), max_length=10, choices=Method.choices, default=Method.VOTE
    )
    # Secret: the platform keeps no link from a vote to the person who cast it.
    secret = models.BooleanField(_("secret ballot"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    votes_for = models.PositiveIntegerField(_("for"), default=0)
    votes_against = models.PositiveIntegerField(_("against"), default=0)
    votes_abstain = models.PositiveIntegerField(_("abstain"), default=0)
    present = models.PositiveIntegerField(_("present when closed"), default=0)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        ordering = ["opened_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def votes_cast(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstain


class Vote(models.Model):
    """One vote on a motion. `voter_key` makes it once per voter; a secret vote keeps no
    participant link, only a keyed hash that cannot be read back to a person."""

    class Choice(models.TextChoices):
        FOR = "for", _("For")  # 赞成
        AGAINST = "against", _("Against")  # 反对
        ABSTAIN = "abstain", _("Abstain")  # 弃权

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="votes"
    )
    # A resident voting on the platform (phone hash), when not a signed-in participant.
    resident_key = models.CharField(max_length=64, blank=True)
    voter_key = models.CharField(max_length=64, editable=False)
    choice = models.CharField(_("vote"), max_length=8, choices=Choice.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["motion", "voter_key"], name="vote_once"),
            models.CheckConstraint(
                condition=~(Q(participant__isnull=False) & ~Q(resident_key="")),
                name="vote_one_voter_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.motion_id}:{self.choice}"


class FieldVisit(models.Model):
    """调研走访: a place visited during a thematic consultation, with what was found."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="field_visits")
    place = models.CharField(_("place"), max_length=120)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation visited"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="field_visits",
    )
    visited_on = models.DateField(_("visited on"))
    findings = models.TextField(_("findings"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")
        ordering = ["visited_on", "id"]

    def __str__(self) -> str:
        return self.place


class Resolution(models.Model):
    """协商成果: what will be done about a topic, by whom and by when.

    The next step lists each resolution's public action items (挂牌): they point here as
    `accountability.ActionItem.resolution` (related_name "action_items")."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="resolutions")
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="resolutions"
    )
    motion = models.ForeignKey(
        Motion,
        verbose_name=_("decided by motion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resolutions",
    )
    text = models.TextField(_("resolution"), max_length=4000)
    responsible_organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("responsible organisations"),
        related_name="resolutions",
        blank=True,
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    created_by = _recorded_by()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.text[:60]
