"""Who hears of a recorded event: the residents who raised the matter (反馈), the meeting's
participants, the owners of action items and the community's staff.

Notifications sit on top of the workflow and read every app's models; no app imports this one.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse

from accountability.models import ActionItem
from accountability.verbs import (
    ACTION_ITEM_CLOSED,
    ACTION_ITEM_DONE,
    ACTION_ITEM_DUE_SOON,
    ACTION_ITEM_LISTED,
    ACTION_ITEM_OVERDUE,
    ACTION_ITEM_PROGRESS,
    ACTION_ITEM_REOPENED,
    ACTION_ITEM_VERIFIED,
)
from accounts.models import Role, User
from accounts.permissions import COMMUNITY_ROLES
from concerns.models import Concern, Issue
from concerns.verbs import CONCERN_RECEIVED, ISSUE_ACCEPTED, ISSUE_RESOLVED, ISSUE_SETTLED
from consultations.models import Meeting, Participant, Resolution, Topic
from consultations.verbs import (
    MEETING_ANNOUNCED,
    MEETING_INVITED,
    MEETING_PUBLISHED,
    MEETING_RESCHEDULED,
    RESOLUTION_RECORDED,
    TOPIC_CREATED,
)
from notifications import following
from notifications.models import Preference, Subscription
from notifications.verbs import FOLLOW_REQUESTED
from opinions import verbs as opinion_verbs
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
    CONCERN_RECEIVED,
    ISSUE_ACCEPTED,
    ISSUE_SETTLED,
    ISSUE_RESOLVED,
    MEETING_ANNOUNCED,
    MEETING_RESCHEDULED,  # the notice corrected: an announced meeting moved
    MEETING_PUBLISHED,
}
# What a meeting's participants are told of: its notice (and its correction), its
# resolutions and its result.
PARTICIPANT_VERBS = {
    MEETING_ANNOUNCED,
    MEETING_RESCHEDULED,
    MEETING_PUBLISHED,
    RESOLUTION_RECORDED,
}
# A concern arriving tells its grid's workers (in-app; by SMS too for those who chose it).
GRID_VERBS = {CONCERN_RECEIVED}
# Internal steps that still tell someone: an invitation made once the notice is out tells the
# one invited (before that, the notice itself tells every participant).
PRIVATE_TOLD_VERBS = {MEETING_INVITED}
# What a community's followers (notifications.following) hear of: a new public topic, a
# meeting's notice and its published result.
FOLLOW_VERBS = {TOPIC_CREATED, MEETING_ANNOUNCED, MEETING_PUBLISHED}
# Steps of earlier objects anyone is told of (the rest cost no query at all).
TOLD_VERBS = RESIDENT_VERBS | PARTICIPANT_VERBS | GRID_VERBS | FOLLOW_VERBS
# Action item events residents hear of: its listing only (its closing resolves the issue).
RESIDENT_ITEM_VERBS = {ACTION_ITEM_LISTED}
# Action item events the owner hears of.
OWNER_ITEM_VERBS = {
    ACTION_ITEM_LISTED,
    ACTION_ITEM_VERIFIED,
    ACTION_ITEM_CLOSED,
    ACTION_ITEM_REOPENED,
    ACTION_ITEM_OVERDUE,
    ACTION_ITEM_DUE_SOON,
}
# Action item events the listing community's staff hear of.
COMMUNITY_ITEM_VERBS = {
    ACTION_ITEM_PROGRESS,
    ACTION_ITEM_DONE,
    ACTION_ITEM_REOPENED,
    ACTION_ITEM_OVERDUE,
    ACTION_ITEM_DUE_SOON,
}
# 社情民意 (internal events: staff accounts only, in the workbench and by email). The member
# hears of the office's decisions and of each reply; the departments of a forwarding and of
# a reply past its date; the district's CPPCC office of new and revised reports, ratings and
# late replies.
MEMBER_OPINION_VERBS = {
    opinion_verbs.OPINION_RETURNED,
    opinion_verbs.OPINION_ADOPTED,
    opinion_verbs.OPINION_MERGED,
    opinion_verbs.OPINION_FORWARDED,
    opinion_verbs.OPINION_REPLIED,
    opinion_verbs.OPINION_TOPIC,
}
DEPARTMENT_OPINION_VERBS = {opinion_verbs.OPINION_FORWARDED, opinion_verbs.OPINION_REPLY_OVERDUE}
OFFICE_OPINION_VERBS = {
    opinion_verbs.OPINION_SUBMITTED,
    opinion_verbs.OPINION_REVISED,
    opinion_verbs.OPINION_RATED,
    opinion_verbs.OPINION_REPLY_OVERDUE,
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
    # A meeting participant's sign-in code (their own, like a tracking code).
    sign_in_code: str = ""
    # A community's follower: the path of their one-tap stop link.
    stop: str = ""
    # A follower asking to follow: the code that confirms their phone.
    code: str = ""
    # A grid worker: the name of their grid.
    place: str = ""


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


def grid_workers_of(concern: Concern) -> list[Recipient]:
    """The workers of the concern's grid, in-app; with their phone for those who chose SMS.
    One query (roles, accounts, the grid's name and the SMS choice), none without a grid:
    it runs after every submit."""
    if not concern.grid_id:
        return []
    by_sms = Preference.objects.filter(user_id=OuterRef("user_id"), sms_new_concerns=True)
    roles = (
        Role.objects.filter(
            kind=Role.Kind.GRID_WORKER, area_id=concern.grid_id, user__is_active=True
        )
        .select_related("user", "area")
        .annotate(sms=Exists(by_sms))
    )
    people: dict[int, Recipient] = {}
    for role in roles:
        people[role.user_id] = Recipient(
            f"user:{role.user_id}",
            user=role.user,
            phone=role.user.phone if role.sms else "",
            roles={"grid"},
            place=role.area.name,
        )
    return list(people.values())


# The role (in the participant's organisation for the organisation parties) that an account
# invited by name holds: how a participant typed as "张委员, 政协委员" finds its account.
PARTY_ROLES: dict[str, set[str]] = {
    Participant.Party.CPPCC_MEMBER: {Role.Kind.CPPCC_MEMBER},
    Participant.Party.COMMUNITY: {
        Role.Kind.COMMUNITY_STAFF,
        Role.Kind.SECRETARY,
        Role.Kind.STREET_OFFICER,
        Role.Kind.GRID_WORKER,
    },
    Participant.Party.DEPARTMENT: {Role.Kind.ORG_REPRESENTATIVE},
    Participant.Party.PROPERTY_COMPANY: {Role.Kind.ORG_REPRESENTATIVE},
    Participant.Party.OWNERS_COMMITTEE: {Role.Kind.ORG_REPRESENTATIVE},
    Participant.Party.VOLUNTEER: {Role.Kind.VOLUNTEER},
    Participant.Party.BUILDING_HEAD: {Role.Kind.VOLUNTEER},
    Participant.Party.PARTY_MEMBER: {Role.Kind.VOLUNTEER},
}


def _accounts_by_name(people: list[Participant]) -> dict[int, User]:
    """Staff invited by name without their account picked: the one active account with that
    full name holding the party's role (in the invitation's organisation, when it names one).
    Two accounts alike are left alone: a message to the wrong person is worse than none.
    One query, none when every participant is linked already."""
    unlinked = [p for p in people if not p.user_id and p.party in PARTY_ROLES]
    if not unlinked:
        return {}
    kinds = set().union(*(PARTY_ROLES[p.party] for p in unlinked))
    roles = Role.objects.filter(
        kind__in=kinds, user__full_name__in={p.name for p in unlinked}, user__is_active=True
    ).select_related("user")
    found: dict[int, User] = {}
    for p in unlinked:
        users = {
            r.user_id: r.user
            for r in roles
            if r.user.full_name == p.name
            and r.kind in PARTY_ROLES[p.party]
            and (not p.organisation_id or r.organisation_id == p.organisation_id)
        }
        if len(users) == 1:
            found[p.pk] = next(iter(users.values()))
    return found


def participants_of(meeting: Meeting, only: Any = None) -> list[Recipient]:
    """Everyone invited: accounts in-app (and by email), by SMS too when the invitation has a
    phone; each with their own sign-in code. `only`: one participant's id."""
    invited = Participant.objects.filter(meeting=meeting).select_related("user")
    if only is not None:
        invited = invited.filter(pk=only)
    invited_list = list(invited)
    accounts = _accounts_by_name(invited_list)
    people: list[Recipient] = []
    for p in invited_list:
        user = p.user if p.user_id else accounts.get(p.pk)
        if user is not None:
            key = f"user:{user.pk}"
            people.append(
                Recipient(
                    key,
                    user=user,
                    phone=p.phone,
                    sign_in_code=p.sign_in_code,
                    roles={"participant"},
                )
            )
        elif p.phone:
            people.append(
                Recipient(
                    f"participant:{p.pk}",
                    phone=p.phone,
                    sign_in_code=p.sign_in_code,
                    roles={"participant"},
                )
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
        or (model is Meeting and event.verb in PRIVATE_TOLD_VERBS)
        or (model is Subscription and event.verb == FOLLOW_REQUESTED)
    )


def followers_of(area_id: int, already: list[Recipient]) -> list[Recipient]:
    """The community's confirmed followers, each with their stop link; a phone told already
    of this step (a resident of the matter) is not told twice."""
    told = {p.phone for p in already if p.phone}
    return [
        Recipient(
            f"subscriber:{s.pk}", phone=s.phone, roles={"follower"}, stop=following.stop_path(s)
        )
        for s in following.followers_of(area_id)
        if s.phone not in told
    ]


def _invited(event: Event, meeting: Meeting) -> list[Recipient]:
    """The one participant an invitation made after the notice tells."""
    invited = (event.data or {}).get("participant")
    if event.verb not in PRIVATE_TOLD_VERBS or not invited:
        return []
    return participants_of(meeting, only=invited)


def _follow_recipients(event: Event, subject: Any, people: list[Recipient]) -> list[Recipient]:
    if not (event.public and event.verb in FOLLOW_VERBS):
        return []
    if isinstance(subject, Topic) and subject.public:
        return followers_of(subject.area_id, people)
    if isinstance(subject, Meeting) and subject.is_public:
        return followers_of(subject.area_id, people)
    return []


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
        if event.verb in GRID_VERBS:
            people += grid_workers_of(subject)
    elif isinstance(subject, Meeting):
        if subject.is_public:
            if residents:
                issues = Issue.objects.filter(topics__meetings=subject).distinct()
                people = residents_of(issues, before=event.created_at)
            people += participants_of(subject) if participants else _invited(event, subject)
    elif isinstance(subject, Resolution) and participants:
        people = participants_of(subject.meeting)
    elif isinstance(subject, Subscription):
        code = str((event.data or {}).get("code", ""))
        people = [Recipient(f"subscriber:{subject.pk}", phone=subject.phone, code=code)]
    people += _follow_recipients(event, subject, people)
    # One recipient per person, the actor left out; a resident who is also invited hears the
    # invitation (with their own sign-in code), not the residents' notice besides.
    invited_phones = {p.phone for p in people if p.sign_in_code and p.phone}
    unique: dict[str, Recipient] = {}
    for person in people:
        if person.user is not None and person.user.pk == event.actor_id:
            continue
        if person.tracking_code and person.phone in invited_phones:
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
    if "follower" in recipient.roles:
        if isinstance(subject, Topic):
            return _url("consultations:topic_public", subject.pk)
        if isinstance(subject, Meeting):
            published = subject.status == Meeting.Status.PUBLISHED
            return _url("consultations:result" if published else "consultations:notice", subject.pk)
    if recipient.sign_in_code and isinstance(subject, Meeting):
        return _url("consultations:join", subject.pk)  # where they sign in with their code
    if isinstance(subject, Concern):
        return _url("concerns:issue", subject.issue_id)
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
