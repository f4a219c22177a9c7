"""The JSON API of topics, meetings, participants, sign-in, statements, votes and resolutions.

Staff endpoints take the web session or a bearer token. Participants act without an account:
they sign in with their code (POST /meetings/{id}/sign-in), receive a participant token, and
send it with their own statements and votes. Every endpoint calls the same action functions
as the pages, so the rules and the error messages are the same.
"""

from datetime import date, datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from typing_extensions import TypeAliasType

from accounts.api_auth import staff_auth
from accounts.masking import HANDLER, Masking
from accounts.models import Organisation
from concerns.models import Issue
from concerns.permissions import visible_issues
from consultations import actions
from consultations.models import (
    FieldVisit,
    Meeting,
    Motion,
    Participant,
    Resolution,
    Statement,
    Topic,
    Venue,
)
from consultations.participation import (
    participant_from_token,
    participant_token,
    sign_in_by_code,
    support_from,
)
from consultations.permissions import (
    can_change_meeting,
    get_meeting_for_user,
    get_topic_for_user,
    participant_masking,
    visible_meetings,
    visible_topics,
)
from core.errors import RATE_LIMITED, ActionError, answers
from core.text import plain_text
from places.models import Area

router = Router(tags=["consultations"])
# Ids as the database can hold them (64-bit); larger numbers are a 422, not a server error.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]

# The OpenAPI document names an enum after its class, and several models have a Kind or a
# Status: a named alias gives each its own component (tested in yishi/tests/test_openapi.py).
TopicSource = TypeAliasType("TopicSource", Topic.Source)
TopicStatus = TypeAliasType("TopicStatus", Topic.Status)
MeetingForm = TypeAliasType("MeetingForm", Meeting.Form)
MeetingStatus = TypeAliasType("MeetingStatus", Meeting.Status)
MeetingPassRule = TypeAliasType("MeetingPassRule", Meeting.PassRule)
ParticipantParty = TypeAliasType("ParticipantParty", Participant.Party)
ParticipantReply = TypeAliasType("ParticipantReply", Participant.Reply)
StatementKind = TypeAliasType("StatementKind", Statement.Kind)
MotionMethod = TypeAliasType("MotionMethod", Motion.Method)
MotionStatus = TypeAliasType("MotionStatus", Motion.Status)
MotionOutcome = TypeAliasType("MotionOutcome", Motion.Outcome)


def _lookup(queryset: QuerySet, pk: int | None, field: str, message: str, *, code: str) -> Any:
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ActionError(message, code=code, field=field)
    return obj


def _organisation(pk: int | None) -> Organisation | None:
    return _lookup(
        Organisation.objects.all(),
        pk,
        "organisation",
        _("No such organisation."),
        code="unknown_organisation",
    )


def _code(value: str, field: str) -> str:
    """An area code from the caller; one with control characters matches nothing."""
    return plain_text(value, field, limit=32)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


# ---- Topics ------------------------------------------------------------------------------


class TopicOut(Schema):
    id: int
    title: str
    description: str
    area: str = Field(..., alias="area.code")
    source: TopicSource
    status: TopicStatus
    shelved_reason: str
    public: bool
    residents_count: int
    supporters_count: int
    issues: list[int]
    created_at: datetime

    @staticmethod
    def resolve_issues(obj: Topic) -> list[int]:
        return [issue.pk for issue in obj.issues.all()]


class TopicIn(Schema):
    title: str = Field(..., max_length=120)
    area: str | None = Field(None, description="area code; taken from the issues when given")
    issues: list[Id] = Field(default_factory=list, description="ids of the issues gathered")
    description: str = Field("", max_length=4000)
    public: bool = True


class ShelveIn(Schema):
    reason: str = Field(..., max_length=2000)


class SupportIn(Schema):
    phone: str = Field(..., max_length=20)


class SupportOut(Schema):
    id: int
    supporters_count: int


@router.get("/topics", response=list[TopicOut], auth=staff_auth, summary="List topics")
@paginate
def list_topics(
    request: HttpRequest, status: TopicStatus | None = None, area: str | None = None
) -> QuerySet[Topic]:
    """Topics in the caller's scope, newest first; `area` keeps those under that area code."""
    topics = visible_topics(request.user).select_related("area").prefetch_related("issues")
    if status:
        topics = topics.filter(status=status)
    if area:
        topics = topics.filter(area__path__contains=f"/{_code(area, 'area')}/")
    return topics.order_by("-created_at", "-id")


@router.post(
    "/topics",
    response={201: TopicOut},
    auth=staff_auth,
    openapi_extra=answers(404),
    summary="Propose a topic",
)
def create_topic(request: HttpRequest, payload: TopicIn) -> Status:
    """From issues (their residents counted together) or directly for an area."""
    issues: list[Issue] = []
    if payload.issues:
        issues = list(visible_issues(request.user).filter(pk__in=payload.issues))
        if len(issues) != len(set(payload.issues)):
            raise ActionError(
                _("Some of these issues do not exist or are not yours."),
                code="unknown_issue",
                field="issues",
            )
    area = None
    if payload.area:
        area = Area.objects.filter(code=_code(payload.area, "area")).first()
        if area is None:
            raise ActionError(_("No area has that code."), code="unknown_area", field="area")
    topic = actions.create_topic(
        request.user,
        title=payload.title,
        area=area,
        issues=issues,
        description=payload.description,
        public=payload.public,
    )
    return Status(201, topic)


@router.get("/topics/{topic_id}", response=TopicOut, auth=staff_auth, summary="A topic")
def get_topic(request: HttpRequest, topic_id: Id) -> Topic:
    return get_topic_for_user(request.user, topic_id)


@router.post("/topics/{topic_id}/accept", response=TopicOut, auth=staff_auth)
def accept_topic(request: HttpRequest, topic_id: Id) -> Topic:
    return actions.accept_topic(
        request.user, get_topic_for_user(request.user, topic_id, write=True)
    )


@router.post("/topics/{topic_id}/shelve", response=TopicOut, auth=staff_auth)
def shelve_topic(request: HttpRequest, topic_id: Id, payload: ShelveIn) -> Topic:
    topic = get_topic_for_user(request.user, topic_id, write=True)
    return actions.shelve_topic(request.user, topic, reason=payload.reason)


@router.post(
    "/topics/{topic_id}/support",
    response=SupportOut,
    openapi_extra=RATE_LIMITED,
    summary="Support a topic (public)",
)
def support_topic(request: HttpRequest, topic_id: Id, payload: SupportIn) -> Topic:
    """A resident supports a public topic, once per mobile number (never stored or shown)."""
    topic = get_object_or_404(Topic, pk=topic_id, public=True)
    return support_from(request, topic, payload.phone)


# ---- Meetings ----------------------------------------------------------------------------


class MeetingOut(Schema):
    id: int
    title: str
    form: MeetingForm
    area: str = Field(..., alias="area.code")
    venue: str | None = Field(None, alias="venue.name")
    place: str
    convener: str | None = Field(None, alias="convener.name")
    starts_at: datetime
    ends_at: datetime | None
    notice_days: int
    status: MeetingStatus
    quorum: int
    pass_rule: MeetingPassRule
    topics: list[int]
    agenda: str
    materials: str
    result_summary: str

    @staticmethod
    def resolve_topics(obj: Meeting) -> list[int]:
        return [topic.pk for topic in obj.topics.all()]


class MeetingIn(Schema):
    title: str = Field(..., max_length=120)
    form: MeetingForm
    area: str = Field(..., description="area code of the community (or district)")
    starts_at: datetime
    ends_at: datetime | None = None
    venue: Id | None = None
    place: str = Field("", max_length=200)
    convener: Id | None = Field(None, description="id of the convening organisation")
    notice_days: int = Field(3, ge=0, le=60)
    quorum: int = Field(0, ge=0, le=10000)
    pass_rule: MeetingPassRule = Meeting.PassRule.MAJORITY
    topics: list[Id] = Field(default_factory=list)
    agenda: str = Field("", max_length=4000)
    materials: str = Field("", max_length=8000)


class ResultIn(Schema):
    summary: str = Field("", max_length=8000)


def _meetings_qs(request: HttpRequest) -> QuerySet[Meeting]:
    return (
        visible_meetings(request.user)
        .select_related("area", "venue", "convener")
        .prefetch_related("topics")
    )


@router.get("/meetings", response=list[MeetingOut], auth=staff_auth, summary="List meetings")
@paginate
def list_meetings(
    request: HttpRequest,
    status: MeetingStatus | None = None,
    form: MeetingForm | None = None,
    area: str | None = None,
) -> QuerySet[Meeting]:
    """Meetings in the caller's scope, latest first; `area` keeps those under that area code."""
    meetings = _meetings_qs(request)
    if status:
        meetings = meetings.filter(status=status)
    if form:
        meetings = meetings.filter(form=form)
    if area:
        meetings = meetings.filter(area__path__contains=f"/{_code(area, 'area')}/")
    return meetings.order_by("-starts_at", "-id")


@router.post(
    "/meetings",
    response={201: MeetingOut},
    auth=staff_auth,
    openapi_extra=answers(404),
    summary="Plan a meeting",
)
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Status:
    """A draft meeting; nothing is public until POST /meetings/{id}/notice."""
    area = Area.objects.filter(code=_code(payload.area, "area")).first()
    if area is None:
        raise ActionError(_("No area has that code."), code="unknown_area", field="area")
    topics = list(visible_topics(request.user).filter(pk__in=payload.topics))
    if len(topics) != len(set(payload.topics)):
        raise ActionError(
            _("Some of these topics do not exist or are not yours."),
            code="unknown_topic",
            field="topics",
        )
    meeting = actions.schedule_meeting(
        request.user,
        area=area,
        title=payload.title,
        form=payload.form,
        starts_at=_aware(payload.starts_at) or payload.starts_at,
        ends_at=_aware(payload.ends_at),
        venue=_lookup(
            Venue.objects.all(), payload.venue, "venue", _("No such venue."), code="unknown_venue"
        ),
        place=payload.place,
        convener=_lookup(
            Organisation.objects.all(),
            payload.convener,
            "convener",
            _("No such organisation."),
            code="unknown_organisation",
        ),
        notice_days=payload.notice_days,
        quorum=payload.quorum,
        pass_rule=payload.pass_rule,
        topics=topics,
        agenda=payload.agenda,
        materials=payload.materials,
    )
    return Status(201, meeting)


def _meeting(request: HttpRequest, meeting_id: Id, *, write: bool = False) -> Meeting:
    return get_meeting_for_user(request.user, meeting_id, write=write)


def _fresh(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_related("area", "venue", "convener")
        .prefetch_related("topics")
        .get(pk=meeting.pk)
    )


@router.get("/meetings/{meeting_id}", response=MeetingOut, auth=staff_auth, summary="A meeting")
def get_meeting(request: HttpRequest, meeting_id: Id) -> Meeting:
    return _fresh(_meeting(request, meeting_id))


@router.post("/meetings/{meeting_id}/notice", response=MeetingOut, auth=staff_auth)
def publish_notice(request: HttpRequest, meeting_id: Id) -> Meeting:
    """提前公告: publish the notice, at least `notice_days` before the meeting."""
    return _fresh(actions.publish_notice(request.user, _meeting(request, meeting_id, write=True)))


@router.post("/meetings/{meeting_id}/hold", response=MeetingOut, auth=staff_auth)
def hold_meeting(request: HttpRequest, meeting_id: Id) -> Meeting:
    return _fresh(actions.hold_meeting(request.user, _meeting(request, meeting_id, write=True)))


@router.post("/meetings/{meeting_id}/close", response=MeetingOut, auth=staff_auth)
def close_meeting(request: HttpRequest, meeting_id: Id) -> Meeting:
    return _fresh(actions.close_meeting(request.user, _meeting(request, meeting_id, write=True)))


@router.post("/meetings/{meeting_id}/result", response=MeetingOut, auth=staff_auth)
def publish_result(request: HttpRequest, meeting_id: Id, payload: ResultIn) -> Meeting:
    """公示: publish the result notice with the resolutions."""
    meeting = _meeting(request, meeting_id, write=True)
    return _fresh(actions.publish_result(request.user, meeting, summary=payload.summary))


# ---- Participants and sign-in ------------------------------------------------------------


class ParticipantOut(Schema):
    id: int
    party: ParticipantParty
    name: str
    organisation: str | None = Field(None, alias="organisation.name")
    phone: str
    may_vote: bool
    reply: ParticipantReply
    signed_in_at: datetime | None
    sign_in_code: str | None = Field(None, description="only for the convener's staff")


class ParticipantIn(Schema):
    party: ParticipantParty
    name: str = Field(..., max_length=50)
    organisation: Id | None = None
    phone: str = Field("", max_length=20)
    may_vote: bool = True


class ReplyIn(Schema):
    reply: ParticipantReply


class SignInIn(Schema):
    code: str = Field(..., max_length=8)


class SignedInOut(Schema):
    participant: int
    name: str
    party: ParticipantParty
    token: str = Field(..., description="send with your own statements and votes")


def _participant_out(person: Participant, masking: Masking = HANDLER, private: bool = True) -> dict:
    return {
        "id": person.pk,
        "party": person.party,
        "name": person.name,
        "organisation": person.organisation.name if person.organisation_id else None,
        "phone": masking.phone(person.phone),
        "may_vote": person.may_vote,
        "reply": person.reply,
        "signed_in_at": person.signed_in_at,
        "sign_in_code": person.sign_in_code if private else None,
    }


@router.get(
    "/meetings/{meeting_id}/participants",
    response=list[ParticipantOut],
    auth=staff_auth,
    summary="A meeting's participants",
)
@paginate
def list_participants(request: HttpRequest, meeting_id: Id) -> list[dict]:
    """Participants by party; phones and codes only for the convener's staff."""
    meeting = _meeting(request, meeting_id)
    masking = participant_masking(request.user, meeting)
    private = can_change_meeting(request.user, meeting)
    people = meeting.participants.select_related("organisation").order_by("party", "id")
    return [_participant_out(person, masking, private) for person in people]


@router.post("/meetings/{meeting_id}/participants", response={201: ParticipantOut}, auth=staff_auth)
def invite_participant(request: HttpRequest, meeting_id: Id, payload: ParticipantIn) -> Status:
    meeting = _meeting(request, meeting_id, write=True)
    person = actions.invite_participant(
        request.user,
        meeting,
        party=payload.party,
        name=payload.name,
        organisation=_organisation(payload.organisation),
        phone=payload.phone,
        may_vote=payload.may_vote,
    )
    return Status(201, _participant_out(person))


def _person(meeting: Meeting, participant_id: Id) -> Participant:
    person = meeting.participants.select_related("organisation").filter(pk=participant_id).first()
    if person is None:
        raise Http404
    return person


@router.post(
    "/meetings/{meeting_id}/participants/{participant_id}/reply",
    response=ParticipantOut,
    auth=staff_auth,
)
def record_reply(
    request: HttpRequest, meeting_id: Id, participant_id: Id, payload: ReplyIn
) -> dict:
    meeting = _meeting(request, meeting_id, write=True)
    person = actions.record_reply(request.user, _person(meeting, participant_id), payload.reply)
    return _participant_out(person)


@router.post(
    "/meetings/{meeting_id}/participants/{participant_id}/sign-in",
    response=ParticipantOut,
    auth=staff_auth,
    summary="Sign in a participant without a phone",
)
def staff_sign_in(request: HttpRequest, meeting_id: Id, participant_id: Id) -> dict:
    meeting = _meeting(request, meeting_id, write=True)
    person = actions.staff_sign_in(request.user, _person(meeting, participant_id))
    return _participant_out(person)


def _public_meeting(meeting_id: Id) -> Meeting:
    meeting = Meeting.objects.filter(pk=meeting_id).exclude(status=Meeting.Status.DRAFT).first()
    if meeting is None:
        raise Http404
    return meeting


@router.post(
    "/meetings/{meeting_id}/sign-in",
    response=SignedInOut,
    openapi_extra=RATE_LIMITED,
    summary="Sign in with a code (public)",
)
def sign_in(request: HttpRequest, meeting_id: Id, payload: SignInIn) -> dict:
    """A participant signs in with the code from the invitation; a wrong or used code is
    refused, and repeated wrong codes are paused (429)."""
    meeting = _public_meeting(meeting_id)
    person = sign_in_by_code(request, meeting, payload.code)
    return {
        "participant": person.pk,
        "name": person.name,
        "party": person.party,
        "token": participant_token(person),
    }


def _speaker(meeting: Meeting, token: str) -> Participant:
    person = participant_from_token(token, meeting)
    if person is None:
        raise ActionError(
            _("Sign in with your code first; that participant token is not valid here."),
            code="invalid_participant_token",
            status=403,
            field="token",
        )
    return person


# ---- Statements, field visits ------------------------------------------------------------


class StatementOut(Schema):
    id: int
    participant: Id | None = Field(None, alias="participant_id")
    speaker: str
    topic: Id | None = Field(None, alias="topic_id")
    kind: StatementKind
    text: str
    created_at: datetime

    @staticmethod
    def resolve_speaker(obj: Statement) -> str:
        return obj.participant.speaker if obj.participant else ""


class StatementIn(Schema):
    text: str = Field(..., max_length=4000)
    kind: StatementKind = Statement.Kind.STATEMENT
    topic: Id | None = None
    participant: Id | None = Field(None, description="whose statement the staff record")


class MyStatementIn(Schema):
    token: str
    text: str = Field(..., max_length=4000)
    kind: StatementKind = Statement.Kind.STATEMENT
    topic: Id | None = None


@router.get(
    "/meetings/{meeting_id}/statements",
    response=list[StatementOut],
    auth=staff_auth,
    summary="A meeting's statements, in the order spoken",
)
@paginate
def list_statements(request: HttpRequest, meeting_id: Id) -> QuerySet[Statement]:
    meeting = _meeting(request, meeting_id)
    return meeting.statements.select_related("participant__organisation").order_by(
        "created_at", "id"
    )


def _topic_of(meeting: Meeting, pk: int | None) -> Topic | None:
    return _lookup(
        meeting.topics.all(),
        pk,
        "topic",
        _("That topic is not on this meeting's agenda."),
        code="topic_not_on_agenda",
    )


@router.post(
    "/meetings/{meeting_id}/statements",
    response={201: StatementOut},
    auth=staff_auth,
    summary="Record a statement in the minutes (staff)",
)
def add_statement(request: HttpRequest, meeting_id: Id, payload: StatementIn) -> Status:
    meeting = _meeting(request, meeting_id, write=True)
    statement = actions.add_statement(
        meeting,
        text=payload.text,
        kind=payload.kind,
        topic=_topic_of(meeting, payload.topic),
        participant=_lookup(
            meeting.participants.all(),
            payload.participant,
            "participant",
            _("Not a participant."),
            code="not_a_participant",
        ),
        actor=request.user,
    )
    return Status(201, statement)


@router.post(
    "/meetings/{meeting_id}/my-statements",
    response={201: StatementOut},
    openapi_extra=answers(403),
    summary="Add your own statement (participant token)",
)
def add_my_statement(request: HttpRequest, meeting_id: Id, payload: MyStatementIn) -> Status:
    meeting = _public_meeting(meeting_id)
    speaker = _speaker(meeting, payload.token)
    statement = actions.add_statement(
        meeting,
        text=payload.text,
        kind=payload.kind,
        topic=_topic_of(meeting, payload.topic),
        speaker=speaker,
    )
    return Status(201, statement)


class FieldVisitIn(Schema):
    place: str = Field(..., max_length=120)
    visited_on: date
    findings: str = Field(..., max_length=8000)
    organisation: Id | None = None


class FieldVisitOut(Schema):
    id: int
    place: str
    organisation: str | None = Field(None, alias="organisation.name")
    visited_on: date
    findings: str


@router.get(
    "/meetings/{meeting_id}/field-visits",
    response=list[FieldVisitOut],
    auth=staff_auth,
    summary="A meeting's field visits (实地走访)",
)
@paginate
def list_field_visits(request: HttpRequest, meeting_id: Id) -> QuerySet[FieldVisit]:
    meeting = _meeting(request, meeting_id)
    return meeting.field_visits.select_related("organisation").order_by("visited_on", "id")


@router.post("/meetings/{meeting_id}/field-visits", response={201: FieldVisitOut}, auth=staff_auth)
def add_field_visit(request: HttpRequest, meeting_id: Id, payload: FieldVisitIn) -> Status:
    meeting = _meeting(request, meeting_id, write=True)
    visit = actions.add_field_visit(
        request.user,
        meeting,
        place=payload.place,
        visited_on=payload.visited_on,
        findings=payload.findings,
        organisation=_organisation(payload.organisation),
    )
    return Status(201, visit)


# ---- Motions and votes -------------------------------------------------------------------


class MotionOut(Schema):
    id: int
    text: str
    topic: Id | None = Field(None, alias="topic_id")
    method: MotionMethod
    secret: bool
    status: MotionStatus
    outcome: MotionOutcome
    votes_for: int
    votes_against: int
    votes_abstain: int
    present: int


class MotionIn(Schema):
    text: str = Field(..., max_length=2000)
    method: MotionMethod = Motion.Method.VOTE
    topic: Id | None = None
    proposal: Id | None = Field(None, description="id of the proposal (statement) decided")
    secret: bool = False


class VoteIn(Schema):
    participant: Id
    choice: str = Field(..., pattern="^(for|against|abstain)$")


class MyVoteIn(Schema):
    token: str
    choice: str = Field(..., pattern="^(for|against|abstain)$")


class CloseMotionIn(Schema):
    agreed: bool = Field(True, description="for consensus: whether all agreed")


@router.get(
    "/meetings/{meeting_id}/motions",
    response=list[MotionOut],
    auth=staff_auth,
    summary="A meeting's motions and their counts",
)
@paginate
def list_motions(request: HttpRequest, meeting_id: Id) -> QuerySet[Motion]:
    return _meeting(request, meeting_id).motions.order_by("opened_at", "id")


@router.post("/meetings/{meeting_id}/motions", response={201: MotionOut}, auth=staff_auth)
def open_motion(request: HttpRequest, meeting_id: Id, payload: MotionIn) -> Status:
    meeting = _meeting(request, meeting_id, write=True)
    motion = actions.open_motion(
        request.user,
        meeting,
        text=payload.text,
        method=payload.method,
        topic=_topic_of(meeting, payload.topic),
        proposal=_lookup(
            meeting.statements.all(),
            payload.proposal,
            "proposal",
            _("No such proposal here."),
            code="unknown_proposal",
        ),
        secret=payload.secret,
    )
    return Status(201, motion)


def _motion_for(request: HttpRequest, motion_id: Id, *, write: bool) -> Motion:
    motion = Motion.objects.filter(pk=motion_id).first()
    if motion is None:
        raise Http404
    _meeting(request, motion.meeting_id, write=write)
    return motion


@router.post(
    "/motions/{motion_id}/votes",
    response=MotionOut,
    auth=staff_auth,
    summary="Record a participant's vote (staff, open ballots)",
)
def record_vote(request: HttpRequest, motion_id: Id, payload: VoteIn) -> Motion:
    motion = _motion_for(request, motion_id, write=True)
    person = _lookup(
        Participant.objects.filter(meeting_id=motion.meeting_id),
        payload.participant,
        "participant",
        _("Not a participant of this meeting."),
        code="not_a_participant",
    )
    return actions.cast_vote(motion, payload.choice, participant=person, actor=request.user)


@router.post(
    "/motions/{motion_id}/my-votes",
    response=MotionOut,
    openapi_extra=answers(403),
    summary="Cast your own vote (participant token)",
)
def cast_my_vote(request: HttpRequest, motion_id: Id, payload: MyVoteIn) -> Motion:
    motion = Motion.objects.select_related("meeting").filter(pk=motion_id).first()
    if motion is None or motion.meeting.status == Meeting.Status.DRAFT:
        raise Http404
    speaker = _speaker(motion.meeting, payload.token)
    return actions.cast_vote(motion, payload.choice, participant=speaker, speaker=speaker)


@router.post("/motions/{motion_id}/close", response=MotionOut, auth=staff_auth)
def close_motion(request: HttpRequest, motion_id: Id, payload: CloseMotionIn) -> Motion:
    """Close by consensus (agreed or not) or count the vote against the quorum rule."""
    motion = _motion_for(request, motion_id, write=True)
    return actions.close_motion(request.user, motion, agreed=payload.agreed)


# ---- Resolutions ---------------------------------------------------------------------------


class ResolutionOut(Schema):
    id: int
    meeting: int = Field(..., alias="meeting_id")
    topic: int = Field(..., alias="topic_id")
    text: str
    responsible_organisations: list[str]
    target_date: date | None
    created_at: datetime

    @staticmethod
    def resolve_responsible_organisations(obj: Resolution) -> list[str]:
        return [o.name for o in obj.responsible_organisations.all()]


class ResolutionIn(Schema):
    topic: Id | None = Field(None, description="the topic the resolution settles (required)")
    text: str = Field(..., max_length=4000)
    organisations: list[Id] = Field(default_factory=list)
    target_date: date | None = None
    motion: Id | None = None


@router.get(
    "/resolutions",
    response=list[ResolutionOut],
    auth=staff_auth,
    summary="List resolutions (all meetings in scope)",
)
@paginate
def list_resolutions(
    request: HttpRequest,
    meeting: Id | None = None,
    topic: Id | None = None,
    area: str | None = None,
) -> QuerySet[Resolution]:
    """Resolutions of the meetings in the caller's scope, newest first; `area` keeps those of
    meetings under that area code. One meeting's resolutions are also at
    GET /meetings/{id}/resolutions, where they are recorded (POST)."""
    rows = Resolution.objects.filter(meeting__in=visible_meetings(request.user)).prefetch_related(
        "responsible_organisations"
    )
    if meeting:
        rows = rows.filter(meeting_id=meeting)
    if topic:
        rows = rows.filter(topic_id=topic)
    if area:
        rows = rows.filter(meeting__area__path__contains=f"/{_code(area, 'area')}/")
    return rows.order_by("-created_at", "-id")


@router.get(
    "/meetings/{meeting_id}/resolutions",
    response=list[ResolutionOut],
    auth=staff_auth,
    summary="A meeting's resolutions",
)
@paginate
def list_meeting_resolutions(request: HttpRequest, meeting_id: Id) -> QuerySet[Resolution]:
    meeting = _meeting(request, meeting_id)
    return meeting.resolutions.prefetch_related("responsible_organisations").order_by(
        "created_at", "id"
    )


@router.post(
    "/meetings/{meeting_id}/resolutions",
    response={201: ResolutionOut},
    auth=staff_auth,
    summary="Record a resolution of the meeting",
)
def record_resolution(request: HttpRequest, meeting_id: Id, payload: ResolutionIn) -> Status:
    meeting = _meeting(request, meeting_id, write=True)
    organisations = list(Organisation.objects.filter(pk__in=payload.organisations))
    if len(organisations) != len(set(payload.organisations)):
        raise ActionError(
            _("No such organisation."), code="unknown_organisation", field="organisations"
        )
    topic = _topic_of(meeting, payload.topic)
    resolution = actions.record_resolution(
        request.user,
        meeting,
        topic=topic,
        text=payload.text,
        organisations=organisations,
        target_date=payload.target_date,
        motion=_lookup(
            meeting.motions.all(),
            payload.motion,
            "motion",
            _("No such motion here."),
            code="unknown_motion",
        ),
    )
    return Status(201, resolution)
