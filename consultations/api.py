"""The JSON API of topics, meetings, participants, sign-in, statements, votes and resolutions.

Staff endpoints take the web session or a bearer token. Participants act without an account:
they sign in with their code (POST /meetings/{id}/sign-in), receive a participant token, and
send it with their own statements and votes. Every endpoint calls the same action functions
as the pages, so the rules and the error messages are the same. The shapes it takes and
answers are in consultations/schemas.py.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from accounts.api_auth import staff_get, staff_post
from accounts.masking import HANDLER, Masking
from accounts.models import Organisation
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
from consultations.schemas import (
    CloseMotionIn,
    FieldVisitIn,
    FieldVisitOut,
    MeetingForm,
    MeetingIn,
    MeetingOut,
    MeetingStatus,
    MotionIn,
    MotionOut,
    MyStatementIn,
    MyVoteIn,
    ParticipantIn,
    ParticipantOut,
    ReplyIn,
    ResolutionIn,
    ResolutionOut,
    ResultIn,
    ShelveIn,
    SignedInOut,
    SignInIn,
    StatementIn,
    StatementOut,
    SupportIn,
    SupportOut,
    TopicIn,
    TopicOut,
    TopicStatus,
    VoteIn,
)
from core.errors import RATE_LIMITED, ActionError, answers
from core.ids import Id
from core.text import plain_text
from places.models import Area

router = Router(tags=["consultations"])


def _lookup(queryset: QuerySet, pk: int | None, field: str, message: str, *, code: str) -> Any:
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ActionError(message, code=code, field=field)
    return obj


def _all_of(queryset: QuerySet, pks: Iterable[int], field: str, message: str, *, code: str) -> list:
    """Every row named, or an error when one of them is not there (or not the caller's)."""
    wanted = set(pks)
    rows = list(queryset.filter(pk__in=wanted)) if wanted else []
    if len(rows) != len(wanted):
        raise ActionError(message, code=code, field=field)
    return rows


def _organisation(pk: int | None, field: str = "organisation") -> Organisation | None:
    return _lookup(
        Organisation.objects.all(),
        pk,
        field,
        _("No such organisation."),
        code="unknown_organisation",
    )


def _code(value: str, field: str) -> str:
    """An area code from the caller; one with control characters matches nothing."""
    return plain_text(value, field, limit=32)


def _area(code: str) -> Area:
    area = Area.objects.filter(code=_code(code, "area")).first()
    if area is None:
        raise ActionError(_("No area has that code."), code="unknown_area", field="area")
    return area


def _filtered(rows: QuerySet, area_path: str, area: str | None, **equal: Any) -> QuerySet:
    """The rows with each value given (an empty one filters nothing); `area` keeps the rows
    whose `area_path` lies under that area code."""
    rows = rows.filter(**{name: value for name, value in equal.items() if value})
    if area:
        rows = rows.filter(**{f"{area_path}__contains": f"/{_code(area, 'area')}/"})
    return rows


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


# ---- Topics ------------------------------------------------------------------------------


@staff_get(router, "/topics", list[TopicOut], "List topics")
@paginate
def list_topics(
    request: HttpRequest, status: TopicStatus | None = None, area: str | None = None
) -> QuerySet[Topic]:
    """Topics in the caller's scope, newest first; `area` keeps those under that area code."""
    topics = visible_topics(request.user).select_related("area").prefetch_related("issues")
    return _filtered(topics, "area__path", area, status=status).order_by("-created_at", "-id")


@staff_post(router, "/topics", TopicOut, "Propose a topic", 404, created=True)
def create_topic(request: HttpRequest, payload: TopicIn) -> Status:
    """From issues (their residents counted together) or directly for an area."""
    issues = _all_of(
        visible_issues(request.user),
        payload.issues,
        "issues",
        _("Some of these issues do not exist or are not yours."),
        code="unknown_issue",
    )
    topic = actions.create_topic(
        request.user,
        title=payload.title,
        area=_area(payload.area) if payload.area else None,
        issues=issues,
        description=payload.description,
        public=payload.public,
    )
    return Status(201, topic)


@staff_get(router, "/topics/{topic_id}", TopicOut, "A topic")
def get_topic(request: HttpRequest, topic_id: Id) -> Topic:
    return get_topic_for_user(request.user, topic_id)


@staff_post(router, "/topics/{topic_id}/accept", TopicOut, "Accept Topic")
def accept_topic(request: HttpRequest, topic_id: Id) -> Topic:
    return actions.accept_topic(
        request.user, get_topic_for_user(request.user, topic_id, write=True)
    )


@staff_post(router, "/topics/{topic_id}/shelve", TopicOut, "Shelve Topic")
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


def _meetings_qs(request: HttpRequest) -> QuerySet[Meeting]:
    return (
        visible_meetings(request.user)
        .select_related("area", "venue", "convener")
        .prefetch_related("topics")
    )


@staff_get(router, "/meetings", list[MeetingOut], "List meetings")
@paginate
def list_meetings(
    request: HttpRequest,
    status: MeetingStatus | None = None,
    form: MeetingForm | None = None,
    area: str | None = None,
) -> QuerySet[Meeting]:
    """Meetings in the caller's scope, latest first; `area` keeps those under that area code."""
    meetings = _filtered(_meetings_qs(request), "area__path", area, status=status, form=form)
    return meetings.order_by("-starts_at", "-id")


@staff_post(router, "/meetings", MeetingOut, "Plan a meeting", 404, created=True)
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Status:
    """A draft meeting; nothing is public until POST /meetings/{id}/notice."""
    area = _area(payload.area)
    topics = _all_of(
        visible_topics(request.user),
        payload.topics,
        "topics",
        _("Some of these topics do not exist or are not yours."),
        code="unknown_topic",
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
        convener=_organisation(payload.convener, "convener"),
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


@staff_get(router, "/meetings/{meeting_id}", MeetingOut, "A meeting")
def get_meeting(request: HttpRequest, meeting_id: Id) -> Meeting:
    return _fresh(_meeting(request, meeting_id))


@staff_post(router, "/meetings/{meeting_id}/notice", MeetingOut, "Publish Notice")
def publish_notice(request: HttpRequest, meeting_id: Id) -> Meeting:
    """提前公告: publish the notice, at least `notice_days` before the meeting."""
    return _fresh(actions.publish_notice(request.user, _meeting(request, meeting_id, write=True)))


@staff_post(router, "/meetings/{meeting_id}/hold", MeetingOut, "Hold Meeting")
def hold_meeting(request: HttpRequest, meeting_id: Id) -> Meeting:
    return _fresh(actions.hold_meeting(request.user, _meeting(request, meeting_id, write=True)))


@staff_post(router, "/meetings/{meeting_id}/close", MeetingOut, "Close Meeting")
def close_meeting(request: HttpRequest, meeting_id: Id) -> Meeting:
    return _fresh(actions.close_meeting(request.user, _meeting(request, meeting_id, write=True)))


@staff_post(router, "/meetings/{meeting_id}/result", MeetingOut, "Publish Result")
def publish_result(request: HttpRequest, meeting_id: Id, payload: ResultIn) -> Meeting:
    """公示: publish the result notice with the resolutions."""
    meeting = _meeting(request, meeting_id, write=True)
    return _fresh(actions.publish_result(request.user, meeting, summary=payload.summary))


# ---- Participants and sign-in ------------------------------------------------------------


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


@staff_get(
    router, "/meetings/{meeting_id}/participants", list[ParticipantOut], "A meeting's participants"
)
@paginate
def list_participants(request: HttpRequest, meeting_id: Id) -> list[dict]:
    """Participants by party; phones and codes only for the convener's staff."""
    meeting = _meeting(request, meeting_id)
    masking = participant_masking(request.user, meeting)
    private = can_change_meeting(request.user, meeting)
    people = meeting.participants.select_related("organisation").order_by("party", "id")
    return [_participant_out(person, masking, private) for person in people]


@staff_post(
    router,
    "/meetings/{meeting_id}/participants",
    ParticipantOut,
    "Invite Participant",
    created=True,
)
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


@staff_post(
    router,
    "/meetings/{meeting_id}/participants/{participant_id}/reply",
    ParticipantOut,
    "Record Reply",
)
def record_reply(
    request: HttpRequest, meeting_id: Id, participant_id: Id, payload: ReplyIn
) -> dict:
    meeting = _meeting(request, meeting_id, write=True)
    person = actions.record_reply(request.user, _person(meeting, participant_id), payload.reply)
    return _participant_out(person)


@staff_post(
    router,
    "/meetings/{meeting_id}/participants/{participant_id}/sign-in",
    ParticipantOut,
    "Sign in a participant without a phone",
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


@staff_get(
    router,
    "/meetings/{meeting_id}/statements",
    list[StatementOut],
    "A meeting's statements, in the order spoken",
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


@staff_post(
    router,
    "/meetings/{meeting_id}/statements",
    StatementOut,
    "Record a statement in the minutes (staff)",
    created=True,
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
            _("That person is not a participant of this meeting."),
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


@staff_get(
    router,
    "/meetings/{meeting_id}/field-visits",
    list[FieldVisitOut],
    "A meeting's field visits (实地走访)",
)
@paginate
def list_field_visits(request: HttpRequest, meeting_id: Id) -> QuerySet[FieldVisit]:
    meeting = _meeting(request, meeting_id)
    return meeting.field_visits.select_related("organisation").order_by("visited_on", "id")


@staff_post(
    router, "/meetings/{meeting_id}/field-visits", FieldVisitOut, "Add Field Visit", created=True
)
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


@staff_get(
    router,
    "/meetings/{meeting_id}/motions",
    list[MotionOut],
    "A meeting's motions and their counts",
)
@paginate
def list_motions(request: HttpRequest, meeting_id: Id) -> QuerySet[Motion]:
    return _meeting(request, meeting_id).motions.order_by("opened_at", "id")


@staff_post(router, "/meetings/{meeting_id}/motions", MotionOut, "Open Motion", created=True)
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


@staff_post(
    router,
    "/motions/{motion_id}/votes",
    MotionOut,
    "Record a participant's vote (staff, open ballots)",
)
def record_vote(request: HttpRequest, motion_id: Id, payload: VoteIn) -> Motion:
    motion = _motion_for(request, motion_id, write=True)
    person = _lookup(
        Participant.objects.filter(meeting_id=motion.meeting_id),
        payload.participant,
        "participant",
        _("That person is not a participant of this meeting."),
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


@staff_post(router, "/motions/{motion_id}/close", MotionOut, "Close Motion")
def close_motion(request: HttpRequest, motion_id: Id, payload: CloseMotionIn) -> Motion:
    """Close by consensus (agreed or not) or count the vote against the quorum rule."""
    motion = _motion_for(request, motion_id, write=True)
    return actions.close_motion(request.user, motion, agreed=payload.agreed)


# ---- Resolutions ---------------------------------------------------------------------------


@staff_get(router, "/resolutions", list[ResolutionOut], "List resolutions (all meetings in scope)")
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
    rows = _filtered(rows, "meeting__area__path", area, meeting_id=meeting, topic_id=topic)
    return rows.order_by("-created_at", "-id")


@staff_get(
    router, "/meetings/{meeting_id}/resolutions", list[ResolutionOut], "A meeting's resolutions"
)
@paginate
def list_meeting_resolutions(request: HttpRequest, meeting_id: Id) -> QuerySet[Resolution]:
    meeting = _meeting(request, meeting_id)
    return meeting.resolutions.prefetch_related("responsible_organisations").order_by(
        "created_at", "id"
    )


@staff_post(
    router,
    "/meetings/{meeting_id}/resolutions",
    ResolutionOut,
    "Record a resolution of the meeting",
    created=True,
)
def record_resolution(request: HttpRequest, meeting_id: Id, payload: ResolutionIn) -> Status:
    meeting = _meeting(request, meeting_id, write=True)
    organisations = _all_of(
        Organisation.objects.all(),
        payload.organisations,
        "organisations",
        _("No such organisation."),
        code="unknown_organisation",
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
