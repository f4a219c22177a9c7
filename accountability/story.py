"""The whole story of a matter on one page: concern → issue → topic → meeting → resolution →
action items → evaluations, read from any of them.

The public version (for residents, by tracking code or from the public board) carries no
personal data: only public timeline events, public topics and announced meetings, the
resident's own concern when they came with its tracking code, and counts of ratings.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accountability import matters, permissions
from accountability.models import ActionItem, Evaluation
from accountability.verbs import ACTION_ITEM_RATED, ISSUE_RATED
from accounts.permissions import can_view_area, scope_of
from concerns.models import Concern, Issue
from concerns.permissions import can_view_issue
from consultations.models import Meeting, Resolution, Topic
from timeline.actors import RESIDENTS
from timeline.public import mask_public_text, public_note
from timeline.services import events_for

KINDS: dict[str, type[Model]] = {
    "concern": Concern,
    "issue": Issue,
    "topic": Topic,
    "meeting": Meeting,
    "resolution": Resolution,
    "item": ActionItem,
}
KIND_LABELS = {
    Concern: _("Concern"),
    Issue: _("Issue"),
    Topic: _("Topic"),
    Meeting: _("Meeting"),
    Resolution: _("Resolution"),
    ActionItem: _("Action item"),
}


@dataclass
class StoryEvent:
    when: Any
    kind: str
    title: str
    label: str
    note: str
    actor_label: str


@dataclass
class ItemRatings:
    item: ActionItem | Issue  # an action item, or a matter settled without one
    title: str  # as the page may show it (an issue's public title on a public page)
    counts: dict[str, int]
    total: int
    last_rated_at: Any
    comments: list[str] = field(default_factory=list)


@dataclass
class Story:
    public: bool
    concern: Concern | None
    concerns_count: int
    issues: list[Issue]
    topics: list[Topic]
    meetings: list[Meeting]
    resolutions: list[Resolution]
    items: list[ActionItem]
    ratings: list[ItemRatings]
    events: list[StoryEvent]


def _area_of(obj: Model) -> Any:
    if isinstance(obj, Concern | Issue):
        return obj.community
    if isinstance(obj, Topic | Meeting):
        return obj.area
    if isinstance(obj, Resolution):
        return obj.meeting.area
    raise TypeError(obj)


def staff_start(kind: str, pk: int, user: Any) -> Model:
    """The object a staff member's story page starts from, by kind and id: only for staff who
    may see it (404 for everyone else; the public reach stories by their token)."""
    model = KINDS.get(kind)
    if model is None or not scope_of(user).is_staff:
        raise Http404
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise Http404
    if isinstance(obj, ActionItem):
        allowed = permissions.can(user, obj, permissions.VIEW)
    elif isinstance(obj, Issue):
        allowed = can_view_issue(user, obj)  # grid workers see their grid's issues
    else:
        allowed = can_view_area(user, _area_of(obj))
    if not allowed:
        raise Http404
    return obj


def public_matters(issues: Any) -> Any:
    """The issues whose whole story anyone may read: staff published it, it became a public
    topic, or it was published as an action item (挂牌 is public by definition)."""
    return issues.filter(
        Q(story_published_at__isnull=False) | Q(topics__public=True) | Q(action_items__isnull=False)
    ).distinct()


def is_public_matter(issue: Issue) -> bool:
    return public_matters(Issue.objects.filter(pk=issue.pk)).exists()


def public_start(token: str, user: Any) -> tuple[Model, bool]:
    """The issue or action item behind a story token, and whether it is public yet. An item
    is always public; an issue once it is a public matter. Staff who may see an issue that is
    not public yet may preview its public page; for everyone else that is a 404, like a
    token that names nothing."""
    if not token or len(token) > 64:
        raise Http404
    item = ActionItem.objects.filter(story_token=token).first()
    if item is not None:
        return item, True
    issue = Issue.objects.filter(story_token=token).first()
    if issue is None:
        raise Http404
    if is_public_matter(issue):
        return issue, True
    if scope_of(user).is_staff and can_view_issue(user, issue):
        return issue, False
    raise Http404


@dataclass
class _Reach:
    """The ids of everything a story reaches, by kind."""

    issues: set[int] = field(default_factory=set)
    topics: set[int] = field(default_factory=set)
    meetings: set[int] = field(default_factory=set)
    resolutions: set[int] = field(default_factory=set)
    items: set[int] = field(default_factory=set)


def _first_reach(start: Model) -> _Reach:
    """What the starting object names itself."""
    reach = _Reach()
    if isinstance(start, Concern):
        reach.issues.add(start.issue_id)
    elif isinstance(start, Issue):
        reach.issues.add(start.pk)
    elif isinstance(start, Topic):
        reach.topics.add(start.pk)
    elif isinstance(start, Meeting):
        reach.meetings.add(start.pk)
        reach.topics |= set(start.topics.values_list("pk", flat=True))
    elif isinstance(start, Resolution):
        reach.resolutions.add(start.pk)
        reach.topics.add(start.topic_id)
        reach.meetings.add(start.meeting_id)
    elif isinstance(start, ActionItem):
        reach.items.add(start.pk)
        reach.issues |= set(start.issues.values_list("pk", flat=True))
        if start.resolution_id:
            reach.resolutions.add(start.resolution_id)
            reach.topics.add(start.resolution.topic_id)
            reach.meetings.add(start.resolution.meeting_id)
    return reach


def _reach(start: Model) -> _Reach:
    """Up from topics to their issues, then down from the issues along the workflow."""
    reach = _first_reach(start)
    reach.issues |= set(Issue.objects.filter(topics__in=reach.topics).values_list("pk", flat=True))
    reach.topics |= set(Topic.objects.filter(issues__in=reach.issues).values_list("pk", flat=True))
    reach.meetings |= set(
        Meeting.objects.filter(topics__in=reach.topics).values_list("pk", flat=True)
    )
    reach.resolutions |= set(
        Resolution.objects.filter(topic__in=reach.topics, meeting__in=reach.meetings).values_list(
            "pk", flat=True
        )
    )
    reach.items |= set(
        ActionItem.objects.filter(Q(issues__in=reach.issues) | Q(resolution__in=reach.resolutions))
        .values_list("pk", flat=True)
        .distinct()
    )
    return reach


def _shown_issues(
    start: Model, concern: Concern | None, ids: set[int], *, public: bool
) -> list[Issue]:
    """The issues the page shows, each with the title it may show: on the public page only
    matters made public, and the resident's own (reached with their code) or the one staff
    are previewing."""
    issue_qs = Issue.objects.filter(pk__in=ids).select_related("community", "category")
    if public:
        shown = set(public_matters(issue_qs).values_list("pk", flat=True))
        if concern is not None:
            shown.add(concern.issue_id)
        if isinstance(start, Issue):
            shown.add(start.pk)
        issue_qs = issue_qs.filter(pk__in=shown)
    issue_list = list(issue_qs.order_by("first_received_at"))
    for issue in issue_list:
        issue.shown_title = issue.title_for_public if public else issue.title  # type: ignore[attr-defined]
    return issue_list


def _story_events(
    subjects: list[Model], ratings: list[ItemRatings], *, public: bool
) -> list[StoryEvent]:
    """The subjects' timelines in order, with one line of ratings per item or matter (not one
    per resident); the public read only public events, labels and notes."""
    titles = {(type(s), s.pk): _title(s, public=public) for s in subjects}
    events = []
    for event in events_for(subjects, public_only=public):
        if event.verb in (ACTION_ITEM_RATED, ISSUE_RATED):
            continue
        model = event.subject_type.model_class()
        events.append(
            StoryEvent(
                when=event.created_at,
                kind=str(KIND_LABELS.get(model, "")),
                title=titles.get((model, event.subject_id), ""),
                label=event.resident_label if public else event.label,
                # The public read a note only as timeline.public's rule gives it.
                note=public_note(event) if public else event.note,
                actor_label=event.actor_label,
            )
        )
    for r in ratings:
        summary = "，".join(f"{label} {n}" for label, n in r.counts.items())
        events.append(
            StoryEvent(
                when=r.last_rated_at,
                kind=str(KIND_LABELS[type(r.item)]),
                title=r.title,
                label=str(_("Rated by residents")),
                note=summary,
                actor_label=str(RESIDENTS),
            )
        )
    events.sort(key=lambda e: e.when)
    return events


def build_story(start: Model, *, public: bool) -> Story:
    reach = _reach(start)
    concern = start if isinstance(start, Concern) else None
    topic_qs = Topic.objects.filter(pk__in=reach.topics).order_by("created_at")
    meeting_qs = Meeting.objects.filter(pk__in=reach.meetings).order_by("starts_at")
    if public:
        topic_qs = topic_qs.filter(public=True)
        meeting_qs = meeting_qs.exclude(status=Meeting.Status.DRAFT)
    issue_list = _shown_issues(start, concern, reach.issues, public=public)
    topic_list = list(topic_qs)
    meeting_list = list(meeting_qs.select_related("venue"))
    resolution_list = list(
        Resolution.objects.filter(pk__in=reach.resolutions, meeting__in=meeting_list)
        .select_related("meeting", "topic")
        .order_by("created_at")
    )
    item_list = list(
        ActionItem.objects.filter(pk__in=reach.items)
        .select_related("owner_organisation", "community")
        .order_by("listed_at")
    )
    ratings = _ratings(item_list, public=public) + _matter_ratings(issue_list)
    if public:
        for r in ratings:
            r.title = mask_public_text(r.title)
            r.comments = [mask_public_text(c) for c in r.comments]
    subjects: list[Model] = [*issue_list, *topic_list, *meeting_list, *resolution_list]
    subjects += item_list
    if concern is not None:
        subjects.append(concern)
    elif not public:
        subjects += list(Concern.objects.filter(issue__in=issue_list))
    return Story(
        public=public,
        concern=concern,
        concerns_count=Concern.objects.filter(issue__in=issue_list).count(),
        issues=issue_list,
        topics=topic_list,
        meetings=meeting_list,
        resolutions=resolution_list,
        items=item_list,
        ratings=ratings,
        events=_story_events(subjects, ratings, public=public),
    )


def _title(obj: Model, *, public: bool) -> str:
    if isinstance(obj, Concern):
        return obj.public_id  # the tracking code is the resident's secret
    if isinstance(obj, Issue):
        return getattr(obj, "shown_title", "") or (obj.title_for_public if public else obj.title)
    # A resolution reads whole (the page clamps long ones to three lines).
    text = obj.text if isinstance(obj, Resolution) else str(getattr(obj, "title", obj))
    return mask_public_text(text) if public else text


def _ratings(items: list[ActionItem], *, public: bool) -> list[ItemRatings]:
    by_item: dict[int, list[Evaluation]] = {}
    for evaluation in Evaluation.objects.filter(action_item__in=items).order_by("created_at"):
        if evaluation.action_item_id is not None:
            by_item.setdefault(evaluation.action_item_id, []).append(evaluation)
    result = []
    for item in items:
        rows = [e for e in by_item.get(item.pk, []) if e.round == item.round]
        if not rows:
            continue
        result.append(_summary(item, rows))
    return result


def _matter_ratings(issues: list[Issue]) -> list[ItemRatings]:
    """Ratings of matters settled without an item (or resolved), in each one's current round."""
    settled = [i for i in issues if i.status in matters.RATEABLE_STATUSES]
    if not settled:
        return []
    rows = list(
        Evaluation.objects.filter(issue__in=settled, action_item__isnull=True).order_by(
            "created_at"
        )
    )
    result = []
    for issue in settled:
        mine = [e for e in rows if e.issue_id == issue.pk and e.round == issue.round]
        if mine:
            result.append(_summary(issue, mine))
    return result


def _summary(subject: ActionItem | Issue, rows: list[Evaluation]) -> ItemRatings:
    counts = Counter(e.rating for e in rows)
    title = subject.title
    if isinstance(subject, Issue):
        title = getattr(subject, "shown_title", subject.title_for_public)
    return ItemRatings(
        item=subject,
        title=title,
        counts={str(label): counts.get(value, 0) for value, label in Evaluation.Rating.choices},
        total=len(rows),
        last_rated_at=max(e.created_at for e in rows),
        comments=[e.comment for e in rows if e.comment],
    )
