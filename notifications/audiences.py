"""Who hears of a recorded event: the residents who raised the matter (反馈), the meeting's
participants, the owners of action items and the community's staff.

Notifications sit on top of the workflow and read every app's models; no app imports this one.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from accountability.models import ActionItem
from accounts.models import Role, User
from accounts.permissions import COMMUNITY_ROLES
from concerns.models import Concern, Issue
from consultations.models import Meeting, Participant, Resolution, Topic
from opinions.models import Forwarding
from opinions.models import Report as OpinionReport
from places.models import Area
from timeline.models import Event
from wechat.models import Report

# The few steps a resident is told of by SMS (反馈), one message each: their concern received
# (with its tracking code), accepted, the notice of a meeting whose agenda has their matter,
# the meeting's public result, the item listed for it (挂牌) and the matter settled or
# resolved, with the invitation to rate it (请评价). Every other step stays on their tracking
# page; a later object's step is told through its own event (the item's listing).
RESIDENT_VERBS = {
    "concern.received",
    "issue.accepted",
    "issue.settled",
    "issue.resolved",
    "meeting.announced",
    "meeting.rescheduled",  # the notice corrected: an announced meeting moved
    "meeting.published",
}
# What a meeting's participants are told of: its notice (and its correction), its
# resolutions and its result.
PARTICIPANT_VERBS = {
    "meeting.announced",
    "meeting.rescheduled",
    "meeting.published",
    "resolution.recorded",
}
# An invitation to a meeting: told to the person invited only (the event names them).
INVITED_VERB = "meeting.invited"
# Steps of earlier objects anyone is told of (the rest cost no query at all).
TOLD_VERBS = RESIDENT_VERBS | PARTICIPANT_VERBS
# Action item events residents hear of: its listing only (its closing resolves the issue).
RESIDENT_ITEM_VERBS = {"action_item.listed"}
# Action item events the owner hears of.
OWNER_ITEM_VERBS = {
    "action_item.listed",
    "action_item.verified",
    "action_item.closed",
    "action_item.reopened",
    "action_item.overdue",
    "action_item.due_soon",
}
# Action item events the listing community's staff hear of.
COMMUNITY_ITEM_VERBS = {
    "action_item.progress",
    "action_item.done",
    "action_item.reopened",
    "action_item.overdue",
    "action_item.due_soon",
}
# 社情民意 (internal events: staff accounts only, in the workbench and by email). The member
# hears of the office's decisions and of each reply; the departments of a forwarding and of
# a reply past its date; the district's CPPCC office of new and revised reports, ratings and
# late replies.
MEMBER_OPINION_VERBS = {
    "opinion.returned",
    "opinion.adopted",
    "opinion.merged",
    "opinion.forwarded",
    "opinion.replied",
    "opinion.topic",
}
DEPARTMENT_OPINION_VERBS = {"opinion.forwarded", "opinion.reply_overdue"}
OFFICE_OPINION_VERBS = {
    "opinion.submitted",
    "opinion.revised",
    "opinion.rated",
    "opinion.reply_overdue",
}


@dataclass
class Recipient:
    key: str
    user: User | None = None
    phone: str = ""
    tracking_code: str = ""
    # The start of the resident's own words: a message names their matter with these, never
    # with the issue's title (which may be another resident's words).
    words: str = ""
    roles: set[str] = field(default_factory=set)
    # A resident who wrote through a 公众号: their follower row (wechat.models.Follower).
    follower: Any = None


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def residents_of(
    issues: Iterable[Issue], *, concern: Concern | None = None, before: datetime | None = None
) -> list[Recipient]:
    """One recipient per resident (resident_key) with a phone or who wrote through a
    公众号, whatever their number of concerns; the tracking code is that of their latest
    concern. With `before` (an event's time), only residents whose concern was registered by
    then: one who came later is not told of a step taken before them, however late the
    step's messages are planned."""
    if concern is not None:
        concerns = [concern]
    else:
        ids = [i.pk for i in issues]
        if not ids:
            return []
        registered = Concern.objects.filter(issue_id__in=ids)
        if before is not None:
            registered = registered.filter(created_at__lte=before)
        concerns = list(
            registered.filter(~Q(phone="") | Q(channel=Concern.Channel.WECHAT))
            .only("tracking_code", "phone", "resident_key", "received_at", "content", "channel")
            .order_by("-received_at", "-id")
        )
    followers = _followers(concerns)
    people: dict[str, Recipient] = {}
    for c in concerns:
        follower = followers.get(c.pk)
        if not (c.phone or follower) or not c.resident_key:
            continue
        key = f"resident:{c.resident_key}"
        if key not in people:
            people[key] = Recipient(
                key,
                phone=c.phone,
                tracking_code=c.tracking_code,
                words=c.content[:80],
                follower=follower,
            )
    return list(people.values())


def _followers(concerns: list[Concern]) -> dict[int, Any]:
    """The 公众号 follower behind each concern that came through one (one query, none when
    no concern did)."""
    ids = [c.pk for c in concerns if c.channel == Concern.Channel.WECHAT]
    if not ids:
        return {}
    reports = Report.objects.filter(concern_id__in=ids).select_related("follower__account")
    return {r.concern_id: r.follower for r in reports}


def _staff(users: Iterable[User], role: str) -> list[Recipient]:
    return [Recipient(f"user:{u.pk}", user=u, roles={role}) for u in users if u.is_active]


def community_staff(community: Area) -> list[Recipient]:
    users = User.objects.filter(
        roles__kind__in=COMMUNITY_ROLES, roles__area=community, is_active=True
    ).distinct()
    return _staff(users, "community")


def owners_of(item: ActionItem) -> list[Recipient]:
    condition = Q(
        roles__kind=Role.Kind.ORG_REPRESENTATIVE, roles__organisation_id=item.owner_organisation_id
    )
    if item.owner_id:
        condition |= Q(pk=item.owner_id)
    return _staff(User.objects.filter(condition, is_active=True).distinct(), "owner")


def participants_of(meeting: Meeting) -> list[Recipient]:
    people: list[Recipient] = []
    for p in Participant.objects.filter(meeting=meeting).select_related("user"):
        if p.user_id:
            people.append(Recipient(f"user:{p.user_id}", user=p.user, roles={"participant"}))
        elif p.phone:
            people.append(Recipient(f"participant:{p.pk}", phone=p.phone, roles={"participant"}))
    return people


def invited_by(event: Event, meeting: Meeting) -> list[Recipient]:
    """The one participant an invitation event names: in the app when they have an account,
    and by SMS when they have a mobile number."""
    pk = (event.data or {}).get("participant")
    if not isinstance(pk, int):
        return []
    participant = Participant.objects.filter(meeting=meeting, pk=pk).select_related("user").first()
    if participant is None:
        return []
    people: list[Recipient] = []
    if participant.user_id and participant.user.is_active:
        people.append(
            Recipient(f"user:{participant.user_id}", user=participant.user, roles={"invited"})
        )
    if participant.phone:
        people.append(
            Recipient(f"participant:{participant.pk}", phone=participant.phone, roles={"invited"})
        )
    return people


def _opinion_recipients(event: Event, report: OpinionReport) -> list[Recipient]:
    people: list[Recipient] = []
    if event.verb in MEMBER_OPINION_VERBS:
        people += _staff([report.member], "member")
    forwarding_id = (event.data or {}).get("forwarding")
    if event.verb in DEPARTMENT_OPINION_VERBS and forwarding_id:
        forwarding = Forwarding.objects.filter(pk=forwarding_id, report=report).first()
        if forwarding is not None:
            reps = User.objects.filter(
                roles__kind=Role.Kind.ORG_REPRESENTATIVE,
                roles__organisation_id=forwarding.organisation_id,
                is_active=True,
            ).distinct()
            people += _staff(reps, "department")
    if event.verb in OFFICE_OPINION_VERBS:
        office = User.objects.filter(
            roles__kind=Role.Kind.CPPCC_OFFICE,
            roles__area__in=report.district.ancestors(include_self=True),
            is_active=True,
        ).distinct()
        people += _staff(office, "cppcc_office")
    return people


def _item_recipients(event: Event, item: ActionItem) -> list[Recipient]:
    people: list[Recipient] = []
    if event.verb in RESIDENT_ITEM_VERBS and event.public:
        people += residents_of(item.issues.all(), before=event.created_at)
    if event.verb in OWNER_ITEM_VERBS:
        people += owners_of(item)
    if event.verb in COMMUNITY_ITEM_VERBS:
        people += community_staff(item.community)
    return people


def may_tell(event: Event) -> bool:
    """False for the internal steps nobody is told of, known from the verb and the subject's
    type alone (content types are cached): no query."""
    model = ContentType.objects.get_for_id(event.subject_type_id).model_class()
    return (
        model in (ActionItem, OpinionReport)
        or (event.public and event.verb in TOLD_VERBS)
        or (model is Meeting and event.verb == INVITED_VERB)
    )


def recipients_for(event: Event) -> tuple[list[Recipient], Any]:
    """The people to tell of `event` (the actor excluded), and its subject.

    Internal steps are recognised from the verb and the subject's type alone (may_tell), so
    they cost no query."""
    if not may_tell(event):
        return [], None
    subject = event.subject
    if subject is None:
        return [], None
    people: list[Recipient] = []
    residents = event.verb in RESIDENT_VERBS
    participants = event.verb in PARTICIPANT_VERBS
    if isinstance(subject, ActionItem):
        people = _item_recipients(event, subject)
    elif isinstance(subject, OpinionReport):
        people = _opinion_recipients(event, subject)
    elif isinstance(subject, Issue):
        people = residents_of([subject], before=event.created_at)
    elif isinstance(subject, Concern):
        people = residents_of([], concern=subject)
    elif isinstance(subject, Meeting) and event.verb == INVITED_VERB:
        people = invited_by(event, subject)
    elif isinstance(subject, Meeting):
        if subject.is_public:
            if residents:
                issues = Issue.objects.filter(topics__meetings=subject).distinct()
                people = residents_of(issues, before=event.created_at)
            if participants:
                people += participants_of(subject)
    elif isinstance(subject, Resolution) and participants:
        people = participants_of(subject.meeting)
    # One recipient per person, the actor left out.
    unique: dict[str, Recipient] = {}
    for person in people:
        if person.user is not None and person.user.pk == event.actor_id:
            continue
        if person.key in unique:
            unique[person.key].roles |= person.roles
        else:
            unique[person.key] = person
    return list(unique.values()), subject


def link_for(subject: Any, recipient: Recipient) -> str:
    """Where the message points: residents to their tracking page (status, story and the
    rating box), staff to the object."""
    if recipient.tracking_code:
        return _url("concerns:track_code", recipient.tracking_code)
    if isinstance(subject, ActionItem):
        return _url("accountability:item", subject.pk)
    if isinstance(subject, OpinionReport):
        return _url("opinions:report", subject.pk)
    kind = {Issue: "issue", Topic: "topic", Meeting: "meeting", Resolution: "resolution"}.get(
        type(subject)
    )
    if kind:
        return _url("accountability:story", kind, subject.pk)
    return ""
