"""The shapes of the consultations API: what each endpoint takes and answers."""

from datetime import date, datetime

from ninja import Field, Schema
from typing_extensions import TypeAliasType

from consultations.models import Meeting, Motion, Participant, Resolution, Statement, Topic
from core.ids import Id

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
