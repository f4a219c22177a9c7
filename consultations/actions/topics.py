"""Topics (民事民议): proposed from issues or set for an area, accepted, shelved, supported."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from concerns import actions as concern_actions
from concerns.models import Concern, Issue
from consultations.actions.common import _account, _required, resident_key
from consultations.models import Topic, TopicSupport
from consultations.permissions import check_can_change_topic, check_can_convene
from consultations.verbs import TOPIC_ACCEPTED, TOPIC_CREATED, TOPIC_SHELVED, TOPIC_SUPPORTED
from core.errors import ActionError, Conflict
from core.text import plain_text
from places.models import Area
from timeline.actors import COMMUNITY, RESIDENT
from timeline.services import record


@transaction.atomic
def create_topic(
    actor: Any,
    *,
    title: str,
    area: Area | None = None,
    issues: Iterable[Issue] = (),
    description: str = "",
    public: bool = True,
) -> Topic:
    """A topic from one or more issues (their residents counted together), or set directly
    for an area (a CPPCC thematic topic for a district)."""
    title = plain_text(title, "title", limit=120)
    description = plain_text(description, "description")
    _required(
        title, ActionError(_("Give the topic a title."), code="title_required", field="title")
    )
    issue_list = _issues_for_topic(issues)
    area = _topic_area(area, issue_list)
    check_can_convene(actor, area)
    topic = Topic.objects.create(
        title=title,
        description=description,
        area=area,
        source=Topic.Source.ISSUES if issue_list else Topic.Source.DIRECT,
        public=public,
        residents_count=_residents_behind(issue_list),
        created_by=_account(actor),
    )
    _gather_issues(actor, topic, issue_list)
    record(topic, TOPIC_CREATED, actor=actor, actor_label=COMMUNITY, note=title)
    return topic


def _issues_for_topic(issues: Iterable[Issue]) -> list[Issue]:
    """The issues a new topic gathers: open, of one community, on no other open topic."""
    issue_list = list(
        Issue.objects.select_related("community").filter(pk__in=[i.pk for i in issues])
    )
    if len({issue.community_id for issue in issue_list}) > 1:
        raise ActionError(
            _("A topic gathers issues of one community; make one topic per community."),
            code="topic_issues_of_several_communities",
            field="issues",
        )
    closed = [i for i in issue_list if not i.is_open]
    if closed:
        raise Conflict(
            _("“%(title)s” is closed and cannot be taken to a consultation.")
            % {"title": closed[0].title},
            code="issue_closed",
            field="issues",
        )
    taken = (
        Topic.objects.filter(issues__in=issue_list, status__in=Topic.OPEN_STATUSES).first()
        if issue_list
        else None
    )
    if taken is not None:
        raise Conflict(
            _("One of these issues is already on the topic “%(title)s”.") % {"title": taken.title},
            code="issue_already_on_topic",
            field="issues",
        )
    return issue_list


def _topic_area(area: Area | None, issue_list: list[Issue]) -> Area:
    """The issues' community, else the area given; a grid's topic belongs to its community."""
    if issue_list:
        area = issue_list[0].community
    if area is None:
        raise ActionError(
            _("Choose the area the topic concerns."), code="area_required", field="area"
        )
    if area.kind == Area.Kind.GRID and area.parent is not None:
        area = area.parent
    return area


def _residents_behind(issue_list: list[Issue]) -> int:
    if not issue_list:
        return 0
    return Concern.objects.filter(issue__in=issue_list).values("resident_key").distinct().count()


def _gather_issues(actor: Any, topic: Topic, issue_list: list[Issue]) -> None:
    if not issue_list:
        return
    topic.issues.set(issue_list)
    for issue in issue_list:
        concern_actions.mark_issue_in_consultation(
            issue, actor=actor, note=_("Topic: %(title)s") % {"title": topic.title}
        )


def _locked_topic(topic: Topic) -> Topic:
    return Topic.objects.select_for_update(of=("self",)).select_related("area").get(pk=topic.pk)


@transaction.atomic
def accept_topic(actor: Any, topic: Topic) -> Topic:
    topic = _locked_topic(topic)
    check_can_change_topic(actor, topic)
    if topic.status == Topic.Status.ACCEPTED:
        return topic
    if topic.status != Topic.Status.PROPOSED:
        raise Conflict(_("Only a proposed topic can be accepted."), code="topic_not_proposed")
    topic.status = Topic.Status.ACCEPTED
    topic.save(update_fields=["status", "updated_at"])
    record(topic, TOPIC_ACCEPTED, actor=actor, actor_label=COMMUNITY)
    return topic


@transaction.atomic
def shelve_topic(actor: Any, topic: Topic, *, reason: str) -> Topic:
    topic = _locked_topic(topic)
    check_can_change_topic(actor, topic)
    reason = plain_text(reason, "reason")
    if not reason:
        raise ActionError(
            _("Say why the topic is shelved; residents will read it."),
            code="shelve_reason_required",
            field="reason",
        )
    if topic.status not in (Topic.Status.PROPOSED, Topic.Status.ACCEPTED, Topic.Status.DELIBERATED):
        raise Conflict(
            _("A topic on an announced meeting's agenda or already decided cannot be shelved."),
            code="topic_not_shelvable",
        )
    topic.status = Topic.Status.SHELVED
    topic.shelved_reason = reason
    topic.save(update_fields=["status", "shelved_reason", "updated_at"])
    record(topic, TOPIC_SHELVED, actor=actor, actor_label=COMMUNITY, note=reason)
    return topic


@transaction.atomic
def support_topic(topic: Topic, *, phone: str) -> Topic:
    """A resident supports a public topic, once (民事民议)."""
    key = resident_key(phone)
    topic = _locked_topic(topic)
    if not topic.public or not topic.is_open:
        raise Conflict(_("This topic is not open for support."), code="topic_not_open")
    if TopicSupport.objects.filter(topic=topic, resident_key=key).exists():
        raise Conflict(_("You already support this topic."), code="already_supported")
    TopicSupport.objects.create(topic=topic, resident_key=key)
    Topic.objects.filter(pk=topic.pk).update(supporters_count=F("supporters_count") + 1)
    topic.refresh_from_db(fields=["supporters_count"])
    record(topic, TOPIC_SUPPORTED, actor_label=RESIDENT, public=False)
    return topic
