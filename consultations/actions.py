"""State changes of topics and meetings (民事民议、民事民决).

Each function checks who acts, changes state inside one transaction (locking the row where two
people can race) and records a timeline event. Views, the JSON API, the demo loader and tests
all call these. A bad request raises ActionError (400), Conflict (409), Http404 or
PermissionDenied, and nothing is written.

Participants act without an account: `speaker=` is the participant who signed in with their
code on their own phone; staff act as `actor=` (a user) for the convener.
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.pickers import check_all_serve, check_serves
from concerns import actions as concern_actions
from concerns.models import Concern, Issue
from consultations.models import (
    FieldVisit,
    Meeting,
    Motion,
    Participant,
    Resolution,
    Statement,
    Topic,
    TopicSupport,
    Venue,
    Vote,
)
from consultations.permissions import (
    check_can_change_meeting,
    check_can_change_topic,
    check_can_convene,
)
from consultations.verbs import (
    MEETING_ANNOUNCED,
    MEETING_CLOSED,
    MEETING_FIELD_VISIT,
    MEETING_HELD,
    MEETING_INVITED,
    MEETING_MOTION_CLOSED,
    MEETING_MOTION_OPENED,
    MEETING_PUBLISHED,
    MEETING_REPLIED,
    MEETING_RESCHEDULED,
    MEETING_SCHEDULED,
    MEETING_SIGNED_IN,
    MEETING_STATEMENT,
    MEETING_VOTE_CAST,
    RESOLUTION_RECORDED,
    TOPIC_ACCEPTED,
    TOPIC_CREATED,
    TOPIC_DECIDED,
    TOPIC_SCHEDULED,
    TOPIC_SHELVED,
    TOPIC_SUPPORTED,
)
from core import phones
from core.errors import ActionError, Conflict
from core.text import plain_text
from places.models import Area
from timeline.actors import COMMUNITY, FIELD_TEAM, PARTICIPANT, RESIDENT
from timeline.services import record

# Participants may sign in from this long before the meeting starts.
SIGN_IN_OPENS = timedelta(hours=6)


def _account(actor: Any) -> Any:
    """The staff account behind an action, or None for a resident or participant."""
    return actor if getattr(actor, "is_authenticated", False) else None


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _keyed_hash(*parts: Any) -> str:
    message = ":".join(str(p) for p in parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def voter_key(motion: Motion, participant: Participant) -> str:
    """The key that makes a vote once per participant without naming them."""
    return _keyed_hash("vote", motion.pk, participant.pk)


def resident_key(phone: str) -> str:
    """Who a resident is for counting support: a keyed hash of the phone, never the number."""
    return _keyed_hash("resident", phones.normalise(phone))


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _in_tree(inner: Area, outer: Area) -> bool:
    return inner.path.startswith(outer.path)


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("area", "convener")
        .get(pk=meeting.pk)
    )


def _require_status(meeting: Meeting, allowed: Iterable[str], message: str, *, code: str) -> None:
    if meeting.status not in allowed:
        raise Conflict(message, code=code)


# ---- Topics ------------------------------------------------------------------------------


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
    if not title:
        raise ActionError(_("Give the topic a title."), code="title_required", field="title")
    issue_list = list(
        Issue.objects.select_related("community").filter(pk__in=[i.pk for i in issues])
    )
    if issue_list:
        communities = {issue.community_id for issue in issue_list}
        if len(communities) > 1:
            raise ActionError(
                _("A topic gathers issues of one community; make one topic per community."),
                code="topic_issues_of_several_communities",
                field="issues",
            )
        area = issue_list[0].community
        closed = [i for i in issue_list if not i.is_open]
        if closed:
            raise Conflict(
                _("“%(title)s” is closed and cannot be taken to a consultation.")
                % {"title": closed[0].title},
                code="issue_closed",
                field="issues",
            )
        taken = Topic.objects.filter(issues__in=issue_list, status__in=Topic.OPEN_STATUSES).first()
        if taken is not None:
            raise Conflict(
                _("One of these issues is already on the topic “%(title)s”.")
                % {"title": taken.title},
                code="issue_already_on_topic",
                field="issues",
            )
    if area is None:
        raise ActionError(
            _("Choose the area the topic concerns."), code="area_required", field="area"
        )
    if area.kind == Area.Kind.GRID and area.parent is not None:
        area = area.parent
    check_can_convene(actor, area)
    residents = (
        Concern.objects.filter(issue__in=issue_list).values("resident_key").distinct().count()
        if issue_list
        else 0
    )
    topic = Topic.objects.create(
        title=title,
        description=description,
        area=area,
        source=Topic.Source.ISSUES if issue_list else Topic.Source.DIRECT,
        public=public,
        residents_count=residents,
        created_by=_account(actor),
    )
    if issue_list:
        topic.issues.set(issue_list)
        for issue in issue_list:
            concern_actions.mark_issue_in_consultation(
                issue, actor=actor, note=_("Topic: %(title)s") % {"title": title}
            )
    record(topic, TOPIC_CREATED, actor=actor, actor_label=COMMUNITY, note=title)
    return topic


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


# ---- Meetings ----------------------------------------------------------------------------


def _check_topics_fit(area: Area, topics: list[Topic]) -> None:
    for topic in topics:
        if not (_in_tree(topic.area, area) or _in_tree(area, topic.area)):
            raise ActionError(
                _("“%(title)s” belongs to another area.") % {"title": topic.title},
                code="topic_of_other_area",
                field="topics",
            )
        if not topic.is_open:
            raise Conflict(
                _("“%(title)s” is %(status)s and cannot go on an agenda.")
                % {"title": topic.title, "status": topic.get_status_display()},
                code="topic_not_schedulable",
                field="topics",
            )


# How far ahead a meeting can be planned, and how long one (with its field research) lasts.
PLANNING_HORIZON = timedelta(days=3 * 365)
LONGEST_MEETING = timedelta(days=31)


def _check_times(starts_at: datetime, ends_at: datetime | None, now: datetime) -> None:
    if starts_at <= now:
        raise ActionError(
            _("The meeting cannot start in the past."), code="meeting_in_past", field="starts_at"
        )
    if starts_at > now + PLANNING_HORIZON:
        raise ActionError(
            _("A meeting can be planned up to three years ahead."),
            code="meeting_too_far_ahead",
            field="starts_at",
        )
    if ends_at is not None and ends_at <= starts_at:
        raise ActionError(
            _("The meeting must end after it starts."),
            code="meeting_ends_before_start",
            field="ends_at",
        )
    if ends_at is not None and ends_at > starts_at + LONGEST_MEETING:
        raise ActionError(
            _("A meeting lasts at most a month."), code="meeting_too_long", field="ends_at"
        )


@transaction.atomic
def schedule_meeting(
    actor: Any,
    *,
    area: Area,
    title: str,
    form: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    venue: Venue | None = None,
    place: str = "",
    convener: Organisation | None = None,
    notice_days: int = 3,
    quorum: int = 0,
    pass_rule: str = Meeting.PassRule.MAJORITY,
    topics: Iterable[Topic] = (),
    agenda: str = "",
    materials: str = "",
    now: datetime | None = None,
) -> Meeting:
    """A draft meeting with its agenda of topics; nothing is public until the notice goes out."""
    check_can_convene(actor, area, convener)
    title = plain_text(title, "title", limit=120)
    place = plain_text(place, "place", limit=200)
    agenda = plain_text(agenda, "agenda")
    materials = plain_text(materials, "materials")
    if not title:
        raise ActionError(_("Give the meeting a title."), code="title_required", field="title")
    if form not in Meeting.Form.values:
        raise ActionError(_("Choose a form of meeting."), code="invalid_meeting_form", field="form")
    if pass_rule not in Meeting.PassRule.values:
        raise ActionError(
            _("Choose how a vote is carried."), code="invalid_pass_rule", field="pass_rule"
        )
    _check_times(starts_at, ends_at, _now(now))
    if notice_days < 0 or quorum < 0:
        raise ActionError(
            _("Numbers of days and people cannot be negative."),
            code="negative_quorum",
            field="quorum",
        )
    if (
        venue is not None
        and not _in_tree(venue.community, area)
        and not _in_tree(area, venue.community)
    ):
        raise ActionError(
            _("That venue belongs to another community."),
            code="venue_of_other_community",
            field="venue",
        )
    if venue is None and not place:
        raise ActionError(
            _("Choose a venue or say where the meeting is held."),
            code="venue_required",
            field="venue",
        )
    topic_list = list(Topic.objects.select_related("area").filter(pk__in=[t.pk for t in topics]))
    _check_topics_fit(area, topic_list)
    meeting = Meeting.objects.create(
        area=area,
        title=title,
        form=form,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        place=place,
        convener=convener,
        convened_by=_account(actor),
        notice_days=notice_days,
        quorum=quorum,
        pass_rule=pass_rule,
        agenda=agenda,
        materials=materials,
    )
    meeting.topics.set(topic_list)
    record(meeting, MEETING_SCHEDULED, actor=actor, actor_label=COMMUNITY, public=False, note=title)
    return meeting


@transaction.atomic
def reschedule_meeting(
    actor: Any,
    meeting: Meeting,
    *,
    starts_at: datetime,
    ends_at: datetime | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Move a meeting that has not begun. Once announced, the new date must still leave the
    notice period, and the public notice shows the new date."""
    meeting = _locked_meeting(meeting)
    check_can_change_meeting(actor, meeting)
    _require_status(
        meeting,
        (Meeting.Status.DRAFT, Meeting.Status.ANNOUNCED),
        _("A meeting that has begun cannot be moved."),
        code="meeting_already_begun",
    )
    now = _now(now)
    _check_times(starts_at, ends_at, now)
    if meeting.status == Meeting.Status.ANNOUNCED and starts_at - now < timedelta(
        days=meeting.notice_days
    ):
        raise ActionError(
            _("The notice must go out %(days)s days before the meeting; move the meeting later.")
            % {"days": meeting.notice_days},
            code="notice_too_late",
            field="starts_at",
        )
    old = meeting.starts_at
    meeting.starts_at = starts_at
    meeting.ends_at = ends_at
    meeting.save(update_fields=["starts_at", "ends_at", "updated_at"])
    record(
        meeting,
        MEETING_RESCHEDULED,
        actor=actor,
        actor_label=COMMUNITY,
        public=meeting.status == Meeting.Status.ANNOUNCED,
        note=f"{_local(old)} → {_local(starts_at)}",
    )
    return meeting


@transaction.atomic
def add_topics(actor: Any, meeting: Meeting, topics: Iterable[Topic]) -> Meeting:
    meeting = _locked_meeting(meeting)
    check_can_change_meeting(actor, meeting)
    _require_status(
        meeting,
        (Meeting.Status.DRAFT,),
        _("The agenda is fixed once the notice is out."),
        code="agenda_fixed",
    )
    topic_list = list(Topic.objects.select_related("area").filter(pk__in=[t.pk for t in topics]))
    _check_topics_fit(meeting.area, topic_list)
    meeting.topics.add(*topic_list)
    return meeting


@transaction.atomic
def publish_notice(actor: Any, meeting: Meeting, *, now: datetime | None = None) -> Meeting:
    """提前公告: the notice with agenda and materials goes on the community's public page,
    at least `notice_days` before the meeting."""
    meeting = _locked_meeting(meeting)
    check_can_change_meeting(actor, meeting)
    if meeting.status != Meeting.Status.DRAFT:
        raise Conflict(
            _("The notice of this meeting is already out."), code="notice_already_published"
        )
    now = _now(now)
    if meeting.starts_at <= now:
        raise ActionError(
            _("This meeting is in the past; set a new date before announcing it."),
            code="meeting_in_past",
            field="starts_at",
        )
    if meeting.starts_at - now < timedelta(days=meeting.notice_days):
        raise ActionError(
            _("The notice must go out %(days)s days before the meeting; move the meeting later.")
            % {"days": meeting.notice_days},
            code="notice_too_late",
            field="starts_at",
        )
    topics = list(meeting.topics.select_for_update())
    if not topics:
        raise ActionError(
            _("Put at least one topic on the agenda."), code="agenda_empty", field="topics"
        )
    Topic.objects.filter(
        pk__in=[t.pk for t in topics], status__in=(Topic.Status.PROPOSED, Topic.Status.ACCEPTED)
    ).update(status=Topic.Status.SCHEDULED, updated_at=now)
    meeting.status = Meeting.Status.ANNOUNCED
    meeting.announced_at = now
    meeting.save(update_fields=["status", "announced_at", "updated_at"])
    record(meeting, MEETING_ANNOUNCED, actor=actor, actor_label=COMMUNITY, note=meeting.title)
    for topic in topics:
        record(topic, TOPIC_SCHEDULED, actor=actor, actor_label=COMMUNITY, note=meeting.title)
    return meeting


def _new_code(meeting: Meeting) -> str:
    used = set(meeting.participants.values_list("sign_in_code", flat=True))
    while True:
        code = f"{secrets.randbelow(1_000_000):06d}"
        if code not in used:
            return code


@transaction.atomic
def invite_participant(
    actor: Any,
    meeting: Meeting,
    *,
    party: str,
    name: str,
    organisation: Organisation | None = None,
    user: Any = None,
    phone: str = "",
    may_vote: bool = True,
) -> Participant:
    """Invite someone for a party; they get a sign-in code. Inviting the same person twice
    returns the first invitation."""
    meeting = _locked_meeting(meeting)
    check_can_change_meeting(actor, meeting)
    _require_status(
        meeting,
        (Meeting.Status.DRAFT, Meeting.Status.ANNOUNCED, Meeting.Status.HELD),
        _("This meeting is over; nobody can be invited."),
        code="meeting_over",
    )
    if party not in Participant.Party.values:
        raise ActionError(
            _("Choose the party the participant speaks for."), code="party_required", field="party"
        )
    name = plain_text(name, "name", limit=50)
    if not name:
        raise ActionError(
            _("Give the participant's name."), code="participant_name_required", field="name"
        )
    check_serves(organisation, meeting.area, "organisation")
    phone = phones.normalise(phone) if phone else ""
    existing = meeting.participants.filter(
        party=party, name=name, organisation=organisation
    ).first()
    if existing is not None:
        return existing
    participant = Participant.objects.create(
        meeting=meeting,
        party=party,
        name=name,
        organisation=organisation,
        user=user,
        phone=phone,
        may_vote=may_vote,
        sign_in_code=_new_code(meeting),
    )
    _told_invited(actor, meeting, participant)
    return participant


def _told_invited(actor: Any, meeting: Meeting, participant: Participant) -> None:
    """One event per person invited, naming them: notifications tells that person (in the
    app when they have an account, else by SMS when they gave a phone) and nobody else."""
    record(
        meeting,
        MEETING_INVITED,
        actor=actor,
        actor_label=COMMUNITY,
        public=False,
        note=participant.speaker,
        # Once the notice is out, the one invited is told (notifications) with their code.
        data={"participant": participant.pk},
    )


@transaction.atomic
def invite_many(actor: Any, meeting: Meeting, people: Iterable[Any]) -> tuple[int, int]:
    """Invite everyone in `people` (consultations.invitations.Invitee, from a party, an
    organisation or the residents behind the agenda's issues) in one go. Returns (invited,
    already there). Someone already invited (same account, phone, or party, name and
    organisation) is not invited twice."""
    meeting = _locked_meeting(meeting)
    check_can_change_meeting(actor, meeting)
    _require_status(
        meeting,
        (Meeting.Status.DRAFT, Meeting.Status.ANNOUNCED, Meeting.Status.HELD),
        _("This meeting is over; nobody can be invited."),
        code="meeting_over",
    )
    people = list(people)
    check_all_serve((person.organisation for person in people), meeting.area, "organisations")
    present = list(meeting.participants.all())
    users = {p.user_id for p in present if p.user_id}
    known_phones = {p.phone for p in present if p.phone}
    names = {(p.party, p.name, p.organisation_id) for p in present}
    used = {p.sign_in_code for p in present}
    invited = already = 0
    for person in people:
        key = (person.party, person.name, person.organisation.pk if person.organisation else None)
        if (
            (person.user is not None and person.user.pk in users)
            or (person.phone and person.phone in known_phones)
            or key in names
        ):
            already += 1
            continue
        code = _unused_code(used)
        participant = Participant.objects.create(
            meeting=meeting,
            party=person.party,
            name=person.name,
            organisation=person.organisation,
            user=person.user,
            phone=person.phone,
            may_vote=person.may_vote,
            sign_in_code=code,
        )
        used.add(code)
        names.add(key)
        if person.user is not None:
            users.add(person.user.pk)
        if person.phone:
            known_phones.add(person.phone)
        _told_invited(actor, meeting, participant)
        invited += 1
    return invited, already


def _unused_code(used: set[str]) -> str:
    while True:
        code = f"{secrets.randbelow(1_000_000):06d}"
        if code not in used:
            return code


@transaction.atomic
def record_reply(actor: Any, participant: Participant, reply: str) -> Participant:
    meeting = _locked_meeting(participant.meeting)
    check_can_change_meeting(actor, meeting)
    if reply not in (Participant.Reply.ACCEPTED, Participant.Reply.DECLINED):
        raise ActionError(
            _("A reply is either “will attend” or “cannot attend”."),
            code="invalid_reply",
            field="reply",
        )
    _require_status(
        meeting,
        (Meeting.Status.DRAFT, Meeting.Status.ANNOUNCED),
        _("Replies are taken before the meeting."),
        code="replies_closed",
    )
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    participant.reply = reply
    participant.replied_at = timezone.now()
    participant.save(update_fields=["reply", "replied_at"])
    record(meeting, MEETING_REPLIED, actor=actor, public=False, note=participant.speaker)
    return participant


def _open_for_sign_in(meeting: Meeting, now: datetime) -> None:
    if meeting.status == Meeting.Status.HELD:
        return
    if meeting.status != Meeting.Status.ANNOUNCED:
        raise Conflict(
            _("Sign-in is only open while the meeting is on."), code="meeting_not_in_session"
        )
    if now < meeting.starts_at - SIGN_IN_OPENS:
        raise Conflict(_("Sign-in opens on the day of the meeting."), code="sign_in_not_open_yet")


def _mark_held(meeting: Meeting, now: datetime, actor: Any = None) -> None:
    if meeting.status == Meeting.Status.ANNOUNCED:
        meeting.status = Meeting.Status.HELD
        meeting.held_at = now
        meeting.save(update_fields=["status", "held_at", "updated_at"])
        record(meeting, MEETING_HELD, actor=actor, actor_label=COMMUNITY)


@transaction.atomic
def hold_meeting(actor: Any, meeting: Meeting, *, now: datetime | None = None) -> Meeting:
    """Open the session (sign-in also opens it when the first participant signs in)."""
    meeting = _locked_meeting(meeting)
    check_can_change_meeting(actor, meeting)
    if meeting.status == Meeting.Status.HELD:
        return meeting
    _open_for_sign_in(meeting, _now(now))
    _mark_held(meeting, _now(now), actor)
    return meeting


@transaction.atomic
def sign_in_with_code(meeting: Meeting, code: str, *, now: datetime | None = None) -> Participant:
    """A participant signs in on their phone with the code from the invitation."""
    meeting = _locked_meeting(meeting)
    now = _now(now)
    _open_for_sign_in(meeting, now)
    code = (code or "").strip()
    if not code.isdigit():
        code = ""  # never sent to the database: only digits are codes
    participant = (
        Participant.objects.select_for_update().filter(meeting=meeting, sign_in_code=code).first()
        if code
        else None
    )
    if participant is None:
        raise ActionError(
            _("That sign-in code is not right for this meeting."),
            code="wrong_sign_in_code",
            field="code",
        )
    if participant.signed_in:
        raise Conflict(
            _("This code has already been used to sign in."), code="sign_in_code_used", field="code"
        )
    participant.signed_in_at = now
    participant.save(update_fields=["signed_in_at"])
    _mark_held(meeting, now)
    record(
        meeting, MEETING_SIGNED_IN, actor_label=PARTICIPANT, public=False, note=participant.speaker
    )
    return participant


@transaction.atomic
def staff_sign_in(
    actor: Any, participant: Participant, *, now: datetime | None = None
) -> Participant:
    """Staff sign in a participant without a phone."""
    meeting = _locked_meeting(participant.meeting)
    check_can_change_meeting(actor, meeting)
    now = _now(now)
    _open_for_sign_in(meeting, now)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.signed_in:
        raise Conflict(_("This participant has already signed in."), code="already_signed_in")
    participant.signed_in_at = now
    participant.signed_in_by = actor
    participant.save(update_fields=["signed_in_at", "signed_in_by"])
    _mark_held(meeting, now, actor)
    record(meeting, MEETING_SIGNED_IN, actor=actor, public=False, note=participant.speaker)
    return participant


def _check_speaker(
    meeting: Meeting, actor: Any, speaker: Participant | None, participant: Participant | None
) -> Participant | None:
    """Staff may record anyone's statement; a participant only their own."""
    if speaker is not None:
        if speaker.meeting_id != meeting.pk:
            raise PermissionDenied
        if participant is not None and participant.pk != speaker.pk:
            raise ActionError(
                _("You can add only your own statements."), code="not_own_statement", status=403
            )
        if not speaker.signed_in:
            raise Conflict(_("Sign in to the meeting first."), code="not_signed_in")
        return speaker
    check_can_change_meeting(actor, meeting)
    if participant is not None and participant.meeting_id != meeting.pk:
        raise ActionError(
            _("That person is not a participant of this meeting."),
            code="not_a_participant",
            field="participant",
        )
    return participant


def _topic_on_agenda(meeting: Meeting, topic: Topic | None) -> None:
    if topic is not None and not meeting.topics.filter(pk=topic.pk).exists():
        raise ActionError(
            _("That topic is not on this meeting's agenda."),
            code="topic_not_on_agenda",
            field="topic",
        )


@transaction.atomic
def add_statement(
    meeting: Meeting,
    *,
    text: str,
    kind: str = Statement.Kind.STATEMENT,
    topic: Topic | None = None,
    participant: Participant | None = None,
    actor: Any = None,
    speaker: Participant | None = None,
) -> Statement:
    """各抒己见: a participant's statement or proposal, in the minutes."""
    meeting = _locked_meeting(meeting)
    participant = _check_speaker(meeting, actor, speaker, participant)
    _require_status(
        meeting,
        (Meeting.Status.HELD,),
        _("Statements are recorded while the meeting is on."),
        code="meeting_not_in_session",
    )
    text = plain_text(text, "text", limit=4000)
    if not text:
        raise ActionError(_("Write what was said."), code="statement_text_required", field="text")
    if kind not in Statement.Kind.values:
        raise ActionError(
            _("A statement is either a view or a proposal."),
            code="invalid_statement_kind",
            field="kind",
        )
    _topic_on_agenda(meeting, topic)
    statement = Statement.objects.create(
        meeting=meeting,
        participant=participant,
        topic=topic,
        kind=kind,
        text=text,
        recorded_by=_account(actor),
    )
    record(
        meeting,
        MEETING_STATEMENT,
        actor=actor,
        actor_label=str(participant.get_party_display()) if participant else COMMUNITY,
        public=False,
        note=text[:200],
    )
    return statement


@transaction.atomic
def add_field_visit(
    actor: Any,
    meeting: Meeting,
    *,
    place: str,
    visited_on: date,
    findings: str,
    organisation: Organisation | None = None,
) -> FieldVisit:
    """调研走访: a place visited for a thematic consultation, with what was found."""
    meeting = _locked_meeting(meeting)
    check_can_change_meeting(actor, meeting)
    _require_status(
        meeting,
        (Meeting.Status.DRAFT, Meeting.Status.ANNOUNCED, Meeting.Status.HELD),
        _("Field visits are recorded before the meeting is closed."),
        code="meeting_closed",
    )
    place = plain_text(place, "place", limit=120)
    findings = plain_text(findings, "findings")
    if not place:
        raise ActionError(_("Name the place visited."), code="visit_place_required", field="place")
    if not findings:
        raise ActionError(
            _("Write down what was found."), code="visit_findings_required", field="findings"
        )
    check_serves(organisation, meeting.area, "organisation")
    if visited_on > timezone.localdate():
        raise ActionError(
            _("A visit cannot be recorded before it happens."),
            code="visit_in_future",
            field="visited_on",
        )
    visit = FieldVisit.objects.create(
        meeting=meeting,
        place=place,
        organisation=organisation,
        visited_on=visited_on,
        findings=findings,
    )
    record(meeting, MEETING_FIELD_VISIT, actor=actor, actor_label=FIELD_TEAM, note=place)
    return visit


# ---- Motions and votes -------------------------------------------------------------------


@transaction.atomic
def open_motion(
    actor: Any,
    meeting: Meeting,
    *,
    text: str,
    method: str = Motion.Method.VOTE,
    topic: Topic | None = None,
    proposal: Statement | None = None,
    secret: bool = False,
) -> Motion:
    """Put a proposal to the meeting's decision, by consensus or by vote."""
    meeting = _locked_meeting(meeting)
    check_can_change_meeting(actor, meeting)
    _require_status(
        meeting,
        (Meeting.Status.HELD,),
        _("Decisions are taken while the meeting is on."),
        code="meeting_not_in_session",
    )
    if method not in Motion.Method.values:
        raise ActionError(
            _("Decide by consensus or by vote."), code="invalid_motion_method", field="method"
        )
    if proposal is not None and proposal.meeting_id != meeting.pk:
        raise ActionError(
            _("That proposal was made at another meeting."),
            code="proposal_of_other_meeting",
            field="proposal",
        )
    text = plain_text(text, "text", limit=2000) or (proposal.text if proposal else "")
    if not text:
        raise ActionError(
            _("Write what is being decided."), code="motion_text_required", field="text"
        )
    topic = topic or (proposal.topic if proposal else None)
    _topic_on_agenda(meeting, topic)
    motion = Motion.objects.create(
        meeting=meeting,
        topic=topic,
        proposal=proposal,
        text=text,
        method=method,
        secret=secret and method == Motion.Method.VOTE,
    )
    record(
        meeting,
        MEETING_MOTION_OPENED,
        actor=actor,
        actor_label=COMMUNITY,
        public=False,
        note=text[:200],
    )
    return motion


@transaction.atomic
def cast_vote(
    motion: Motion,
    choice: str,
    *,
    participant: Participant,
    actor: Any = None,
    speaker: Participant | None = None,
) -> Motion:
    """One vote per participant, while the motion is open. The convener's staff may record
    the vote of a participant in the room; a secret vote is cast only by the participant."""
    motion = (
        Motion.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=motion.pk)
    )
    meeting = motion.meeting
    if speaker is not None:
        if speaker.pk != participant.pk:
            raise ActionError(_("You can vote only for yourself."), code="not_own_vote", status=403)
    else:
        check_can_change_meeting(actor, meeting)
        if motion.secret:
            raise ActionError(
                _("This is a secret vote: participants cast it on their own phones."),
                code="secret_vote",
                status=403,
            )
    if participant.meeting_id != meeting.pk:
        raise ActionError(
            _("That person is not a participant of this meeting."),
            code="not_a_participant",
            field="participant",
        )
    if motion.status != Motion.Status.OPEN:
        raise Conflict(_("Voting on this motion has closed."), code="motion_closed")
    if motion.method != Motion.Method.VOTE:
        raise ActionError(
            _("This motion is decided by consensus, not by vote."), code="motion_by_consensus"
        )
    if choice not in Vote.Choice.values:
        raise ActionError(
            _("Vote for, against or abstain."), code="invalid_vote_choice", field="choice"
        )
    if not participant.may_vote:
        raise ActionError(
            _("This participant attends without a vote."),
            code="participant_without_vote",
            status=403,
        )
    if not participant.signed_in:
        raise Conflict(_("Only participants who have signed in may vote."), code="not_signed_in")
    key = voter_key(motion, participant)
    if Vote.objects.filter(motion=motion, voter_key=key).exists():
        raise Conflict(
            _("This participant has already voted on this motion."), code="already_voted"
        )
    try:
        with transaction.atomic():
            Vote.objects.create(
                motion=motion,
                participant=None if motion.secret else participant,
                voter_key=key,
                choice=choice,
            )
    except IntegrityError:
        raise Conflict(
            _("This participant has already voted on this motion."), code="already_voted"
        ) from None
    counter = {"for": "votes_for", "against": "votes_against", "abstain": "votes_abstain"}[choice]
    Motion.objects.filter(pk=motion.pk).update(**{counter: F(counter) + 1})
    motion.refresh_from_db()
    record(
        meeting,
        MEETING_VOTE_CAST,
        actor=None if motion.secret else actor,
        public=False,
        note="" if motion.secret else participant.speaker,
    )
    return motion


def _present_voters(meeting: Meeting) -> int:
    return meeting.participants.filter(signed_in_at__isnull=False, may_vote=True).count()


def vote_carried(meeting: Meeting, votes_for: int, cast: int) -> bool:
    if cast == 0:
        return False
    if meeting.pass_rule == Meeting.PassRule.TWO_THIRDS:
        return votes_for * 3 >= cast * 2
    return votes_for * 2 > cast


@transaction.atomic
def close_motion(
    actor: Any, motion: Motion, *, agreed: bool = True, now: datetime | None = None
) -> Motion:
    """Close a motion. By consensus: agreed (一致同意) or not; by vote: counted against the
    meeting's quorum rule."""
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    meeting = _locked_meeting(motion.meeting)
    check_can_change_meeting(actor, meeting)
    if motion.status != Motion.Status.OPEN:
        raise Conflict(_("This motion is already closed."), code="motion_already_closed")
    present = _present_voters(meeting)
    if motion.method == Motion.Method.CONSENSUS:
        outcome = Motion.Outcome.ADOPTED if agreed else Motion.Outcome.REJECTED
    elif present < meeting.quorum:
        outcome = Motion.Outcome.NO_QUORUM
    elif vote_carried(meeting, motion.votes_for, motion.votes_cast):
        outcome = Motion.Outcome.ADOPTED
    else:
        outcome = Motion.Outcome.REJECTED
    motion.status = Motion.Status.CLOSED
    motion.outcome = outcome
    motion.present = present
    motion.closed_at = _now(now)
    motion.save(update_fields=["status", "outcome", "present", "closed_at"])
    record(
        meeting,
        MEETING_MOTION_CLOSED,
        actor=actor,
        actor_label=COMMUNITY,
        public=False,
        note=f"{motion.text[:120]}：{motion.get_outcome_display()}",
    )
    return motion


# ---- Resolutions and the end of the meeting ------------------------------------------------


@transaction.atomic
def record_resolution(
    actor: Any,
    meeting: Meeting,
    *,
    topic: Topic | None,
    text: str,
    organisations: Iterable[Organisation] = (),
    target_date: date | None = None,
    motion: Motion | None = None,
    now: datetime | None = None,
) -> Resolution:
    """协商成果: what will be done about a topic, by whom and by when."""
    meeting = _locked_meeting(meeting)
    check_can_change_meeting(actor, meeting)
    _require_status(
        meeting,
        (Meeting.Status.HELD, Meeting.Status.CLOSED),
        _("Resolutions are recorded at the meeting, before its result is published."),
        code="resolutions_not_open",
    )
    if topic is None:
        raise ActionError(
            _("Name the topic this resolution settles."),
            code="resolution_topic_required",
            field="topic",
        )
    _topic_on_agenda(meeting, topic)
    text = plain_text(text, "text", limit=4000)
    if not text:
        raise ActionError(
            _("Write what was agreed."), code="resolution_text_required", field="text"
        )
    if target_date is not None and target_date < timezone.localdate(_now(now)):
        raise ActionError(
            _("The target date cannot be in the past."),
            code="target_date_in_past",
            field="target_date",
        )
    organisations = list(organisations)
    check_all_serve(organisations, meeting.area, "organisations")
    if motion is not None:
        if motion.meeting_id != meeting.pk:
            raise ActionError(
                _("That motion belongs to another meeting."),
                code="motion_of_other_meeting",
                field="motion",
            )
        if motion.outcome != Motion.Outcome.ADOPTED:
            raise Conflict(
                _("Only an adopted motion makes a resolution."),
                code="motion_not_adopted",
                field="motion",
            )
    resolution = Resolution.objects.create(
        meeting=meeting,
        topic=topic,
        motion=motion,
        text=text,
        target_date=target_date,
        created_by=_account(actor),
    )
    resolution.responsible_organisations.set(organisations)
    Topic.objects.filter(pk=topic.pk).exclude(status=Topic.Status.DECIDED).update(
        status=Topic.Status.DECIDED, updated_at=timezone.now()
    )
    record(resolution, RESOLUTION_RECORDED, actor=actor, actor_label=COMMUNITY, note=text[:200])
    record(topic, TOPIC_DECIDED, actor=actor, actor_label=COMMUNITY, note=text[:200])
    return resolution


@transaction.atomic
def close_meeting(actor: Any, meeting: Meeting, *, now: datetime | None = None) -> Meeting:
    meeting = _locked_meeting(meeting)
    check_can_change_meeting(actor, meeting)
    if meeting.status == Meeting.Status.CLOSED:
        return meeting
    _require_status(
        meeting,
        (Meeting.Status.HELD,),
        _("Only a meeting in session can be closed."),
        code="meeting_not_in_session",
    )
    if meeting.motions.filter(status=Motion.Status.OPEN).exists():
        raise Conflict(
            _("Close every open motion before closing the meeting."), code="motions_still_open"
        )
    now = _now(now)
    meeting.status = Meeting.Status.CLOSED
    meeting.closed_at = now
    meeting.ends_at = meeting.ends_at or now
    meeting.save(update_fields=["status", "closed_at", "ends_at", "updated_at"])
    meeting.topics.filter(status=Topic.Status.SCHEDULED).update(
        status=Topic.Status.DELIBERATED, updated_at=now
    )
    record(meeting, MEETING_CLOSED, actor=actor, actor_label=COMMUNITY, public=False)
    return meeting


@transaction.atomic
def publish_result(
    actor: Any, meeting: Meeting, *, summary: str = "", now: datetime | None = None
) -> Meeting:
    """公示: the result notice goes on the public page, with the resolutions."""
    meeting = _locked_meeting(meeting)
    check_can_change_meeting(actor, meeting)
    if meeting.status == Meeting.Status.PUBLISHED:
        return meeting
    _require_status(
        meeting,
        (Meeting.Status.CLOSED,),
        _("Close the meeting before publishing its result."),
        code="meeting_not_closed",
    )
    summary = plain_text(summary, "summary")
    if not summary and not meeting.resolutions.exists():
        raise ActionError(
            _("Write the result notice: there are no resolutions to publish."),
            code="result_summary_required",
            field="summary",
        )
    meeting.status = Meeting.Status.PUBLISHED
    meeting.published_at = _now(now)
    if summary:
        meeting.result_summary = summary
    meeting.save(update_fields=["status", "published_at", "result_summary", "updated_at"])
    record(meeting, MEETING_PUBLISHED, actor=actor, actor_label=COMMUNITY, note=meeting.title)
    return meeting
