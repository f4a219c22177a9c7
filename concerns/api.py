"""JSON API of 民事民提: submit and track concerns; list, read and handle issues (staff)."""

from datetime import datetime
from typing import Any, Literal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from typing_extensions import TypeAliasType

from accounts.api_auth import optional_user, staff_get, staff_post
from accounts.masking import masking_for
from accounts.models import Organisation
from concerns import actions, codes, search
from concerns.display import concern_place, public_story
from concerns.intake import store as intake_store
from concerns.intake import submit as intake
from concerns.models import Category, Concern, Issue, Photo
from concerns.permissions import (
    can_handle,
    can_triage,
    get_issue_for_user,
    visible_issues,
)
from concerns.throttle import limit_anonymous
from core.errors import RATE_LIMITED, ActionError, RateLimited, answers
from core.ids import Id
from places.models import Building, Compound
from timeline.public import mask_public_text

router = Router(tags=["concerns"])

# The OpenAPI document names an enum after its class, and several models have a Kind or a
# Status: a named alias gives each its own component (tested in yishi/tests/test_openapi.py).
ConcernChannel = TypeAliasType("ConcernChannel", Concern.Channel)
ConcernUrgency = TypeAliasType("ConcernUrgency", Concern.Urgency)


# ---- Categories


class CategoryOut(Schema):
    code: str
    name: str
    description: str
    group: str
    accept_hours: int = Field(..., description="to be accepted within this many hours")
    respond_hours: int = Field(..., description="to be answered within this many hours")
    resolve_days: int = Field(..., description="to be resolved within this many days")


@router.get(
    "/categories",
    auth=None,
    response=list[CategoryOut],
    summary="List the categories of concerns, with their time limits (public)",
)
@paginate
def list_categories(request: HttpRequest, group: str | None = None) -> QuerySet[Category]:
    """Public: the active categories in display order, for the `category` of a concern.
    `group` keeps one group's categories."""
    rows = Category.objects.filter(active=True)
    if group:
        rows = rows.filter(group=group)
    return rows.order_by("sort_order", "code")


# ---- Submitting and tracking


class ConcernIn(Schema):
    community: str = Field(
        ..., description="The area code of exactly one community (see GET /api/v1/areas)."
    )
    content: str = Field("", description="What the matter is (at most 20,000 characters).")
    phone: str = Field("", description="A mainland number for the call-back.")
    name: str = ""
    address: str = ""
    building: int | None = Field(
        None, description="A building id, from GET /api/v1/buildings?compound=&area=."
    )
    compound: int | None = Field(None, description="A compound id, from GET /api/v1/compounds.")
    category: str | None = Field(None, description="A category code, from GET /api/v1/categories.")
    channel: ConcernChannel = Field(
        Concern.Channel.WEB, description="`web` for residents; other channels need a token."
    )
    urgency: ConcernUrgency = Concern.Urgency.NORMAL
    received_at: datetime | None = None


class IssueRef(Schema):
    id: int
    residents_count: int
    status: str
    title: str


class ConcernCreated(Schema):
    id: str = Field(..., description="The concern's public id (as in Open311).")
    tracking_code: str | None = Field(
        ...,
        description="The resident's own secret code, answered only to a resident submitting "
        "for themselves; staff registering for a resident get null (the resident gets it by "
        "SMS).",
    )
    issue: IssueRef


class TimelineOut(Schema):
    when: datetime
    what: str
    by: str
    note: str


class TrackedOut(Schema):
    id: str = Field(..., description="The concern's public id.")
    tracking_code: str
    community: str
    received_at: datetime
    status: str
    status_label: str
    title: str
    category: str | None
    residents_count: int
    overdue: bool
    outcome: str
    timeline: list[TimelineOut]


def _lookup(model: Any, pk: int | None, field: str, code: str) -> Any:
    if pk is None:
        return None
    obj = model.filter(pk=pk).first()
    if obj is None:
        raise ActionError(_("No such %(field)s.") % {"field": field}, code=code, field=field)
    return obj


@router.post(
    "/concerns",
    auth=None,
    openapi_extra=answers(403, 404, 429),
    response={201: ConcernCreated},
    summary="Submit a concern (anonymous for residents, token for staff channels)",
)
def submit(request: HttpRequest, payload: ConcernIn) -> Status:
    """Registers one concern and groups it into an issue of its community. Residents need no
    account (channel `web`, rate-limited per phone and per address: 429 with Retry-After);
    staff channels need a bearer token. Send `Idempotency-Key` to make retries safe: the
    same client (same phone, or same account) repeating a key gets the first answer; a key
    sent again with another body is a 422 `idempotency_key_reused`."""
    user = optional_user(request)
    # A repeated key is answered by submit_concern when its insert meets the key's unique
    # index: the first submit (nearly all of them) reads nothing for it. The key is bound to
    # its sender: another client's use of it is another key.
    key = intake.scoped_idempotency_key(
        request.headers.get("Idempotency-Key"),
        phone=payload.phone,
        actor=user if user.is_authenticated else None,
    )
    community = intake_store.community_by_code(payload.community)
    if community is None:
        raise ActionError(
            _("Unknown community."), code="unknown_community", field="community", status=404
        )
    if not user.is_authenticated:
        try:
            limit_anonymous(request, payload.phone)
        except RateLimited:
            # A retry of a submit that went in (and used the last of the allowance) is
            # answered with it, not refused.
            earlier = key and intake.earlier_submit(
                key, community=community, channel=payload.channel, content=payload.content
            )
            if earlier:
                return Status(201, _created(earlier, user))
            raise
    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category, active=True).first()
        if category is None:
            raise ActionError(_("Unknown category."), code="unknown_category", field="category")
    concern = intake.submit_concern(
        community=community,
        content=payload.content,
        channel=payload.channel,
        phone=payload.phone,
        name=payload.name,
        address=payload.address,
        building=_lookup(
            Building.objects.select_related("compound"),
            payload.building,
            "building",
            "unknown_building",
        ),
        compound=_lookup(Compound.objects.all(), payload.compound, "compound", "unknown_compound"),
        category=category,
        urgency=payload.urgency,
        received_at=payload.received_at if user.is_authenticated else None,
        actor=user if user.is_authenticated else None,
        idempotency_key=key,
    )
    return Status(201, _created(concern, user))


def _created(concern: Concern, user: Any) -> dict:
    issue = concern.issue  # as the submit left it (counted under its lock)
    return {
        "id": concern.public_id,
        # The code is the resident's secret: staff registering for a resident never see it.
        "tracking_code": None if user.is_authenticated else concern.tracking_code,
        "issue": {
            "id": issue.pk,
            "residents_count": issue.residents_count,
            "status": issue.status,
            # Another resident's words may be the working title: the public one is given.
            "title": issue.title_for_public,
        },
    }


@router.get(
    "/concerns/{tracking_code}",
    auth=None,
    openapi_extra=RATE_LIMITED,
    response=TrackedOut,
    summary="Follow a concern by its tracking code (public, no personal data)",
)
def track(request: HttpRequest, tracking_code: str) -> dict:
    """The resident's own view. Lookups are limited per client address (429 with
    Retry-After), unknown codes most of all (404 `unknown_code`)."""
    concern = codes.lookup(request, tracking_code)
    issue, story = public_story(concern)
    return {
        "id": concern.public_id,
        "tracking_code": concern.tracking_code,
        "community": concern.community.name,
        "received_at": concern.received_at,
        "status": issue.status,
        "status_label": str(issue.get_status_display()),
        "title": issue.title_for_public,
        "category": issue.category.name if issue.category else None,
        "residents_count": issue.residents_count,
        "overdue": issue.is_overdue,
        "outcome": mask_public_text(issue.outcome),
        "timeline": [{"when": e.when, "what": e.label, "by": e.by, "note": e.note} for e in story],
    }


# ---- Issues (staff)


class IssueOut(Schema):
    id: int
    title: str = Field(..., description="the working title, for staff only")
    public_title: str = Field(..., description="the title the public reads")
    public_title_confirmed: bool = Field(..., description="set or confirmed by staff")
    story_published: bool = Field(..., description="staff made the whole story public")
    community: str = Field(..., alias="community.code")
    grid: str | None = Field(None, alias="grid.code")
    category: str | None = Field(None, alias="category.code")
    status: str
    level: str
    residents_count: int
    concerns_count: int
    first_received_at: datetime
    last_received_at: datetime
    accept_due_at: datetime | None
    resolve_due_at: datetime | None
    overdue: bool = Field(..., alias="is_overdue")
    outcome: str
    merged_into: int | None = Field(None, alias="merged_into_id")


class ConcernOut(Schema):
    id: int
    public_id: str
    channel: str
    received_at: datetime
    content: str
    name: str = Field(..., description="In full for those who call residents back, else 张**")
    phone: str = Field(
        ..., description="In full for those who call residents back, else 138****5678"
    )
    address: str = Field(
        ...,
        description="The building or compound, then the address as typed; no finer than "
        "the building for officers, CPPCC members and organisations (accounts/masking.py)",
    )
    building: str | None
    similarity: float | None
    grouping_confirmed: bool


class CandidateOut(Schema):
    issue_id: int
    title: str
    similarity: float
    residents_count: int


class IssueDetailOut(IssueOut):
    concerns: list[ConcernOut] = Field(..., alias="concern_rows")
    candidates: list[CandidateOut] = Field(..., alias="candidate_rows")
    can_handle: bool = Field(..., alias="caller_can_handle")
    can_triage: bool = Field(..., alias="caller_can_triage")


@staff_get(router, "/issues", list[IssueOut], "List issues in scope")
@paginate
def list_issues(
    request: HttpRequest,
    area: str | None = None,
    category: str | None = None,
    status: str | None = "open",
    channel: str | None = None,
    overdue: bool = False,
    sort: Literal["residents", "oldest", "newest"] = "residents",
    q: str | None = None,
) -> QuerySet[Issue]:
    """Issues the caller may see. `area` keeps those under that area code (a street, a
    community or a grid); `status=open` (default) keeps open ones, `status=all` every one;
    `sort=residents` ranks by distinct residents (大家普遍关心的问题); `q` keeps those whose
    words hold every word of the text ("电梯", "3号楼 漏水"), within the caller's scope."""
    rows = visible_issues(request.user).select_related("community", "grid", "category")
    if q and q.strip():
        rows = search.search(rows, q[: search.MAX_QUERY])
    if area:
        # Paths are /street/community/grid/ and codes unique; a code with a slash or a
        # control character matches nothing rather than reaching SQL.
        if area.isprintable() and "/" not in area:
            under = f"/{area}/"
            rows = rows.filter(Q(community__path__contains=under) | Q(grid__path__contains=under))
        else:
            rows = rows.none()
    if category:
        rows = rows.filter(category__code=category)
    if status == "open":
        rows = rows.filter(status__in=Issue.OPEN_STATUSES)
    elif status and status != "all":
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(Exists(Concern.objects.filter(issue=OuterRef("pk"), channel=channel)))
    if overdue:
        now = timezone.now()
        rows = rows.filter(
            Q(status=Issue.Status.NEW, accept_due_at__lt=now)
            | Q(status__in=Issue.OPEN_STATUSES, resolve_due_at__lt=now)
        )
    order = {
        "residents": ["-residents_count", "first_received_at"],
        "oldest": ["first_received_at"],
        "newest": ["-first_received_at"],
    }[sort]
    return rows.order_by(*order, "pk")


def _detail(request: HttpRequest, issue: Issue) -> Issue:
    issue = get_issue_for_user(request.user, issue.pk)
    masking = masking_for(request.user, issue)
    concerns = []
    for c in issue.concerns.select_related("building", "building__compound", "compound").order_by(
        "received_at"
    ):
        concerns.append(
            {
                "id": c.pk,
                "public_id": c.public_id,
                "channel": c.channel,
                "received_at": c.received_at,
                "content": c.content,
                "name": masking.name(c.reporter_name),
                "phone": masking.phone(c.phone),
                "address": masking.address(c.address, concern_place(c)),
                "building": str(c.building) if c.building else None,
                "similarity": c.similarity,
                "grouping_confirmed": c.grouping_confirmed,
            }
        )
    triage = can_triage(request.user, issue)
    candidates = []
    if triage and issue.is_open:
        candidates = intake.candidates_for_issue(issue)[:10]
    issue.concern_rows = concerns  # type: ignore[attr-defined]
    issue.candidate_rows = [c.__dict__ for c in candidates]  # type: ignore[attr-defined]
    issue.caller_can_handle = can_handle(request.user, issue)  # type: ignore[attr-defined]
    issue.caller_can_triage = triage  # type: ignore[attr-defined]
    return issue


@staff_get(router, "/issues/{issue_id}", IssueDetailOut, "One issue")
def issue_detail(request: HttpRequest, issue_id: Id) -> Issue:
    """The issue, its concerns (phones masked unless the caller handles it) and the open
    issues of the community that look like it, ranked by similarity."""
    return _detail(request, get_issue_for_user(request.user, issue_id))


class NoteIn(Schema):
    note: str = ""


class VisitIn(Schema):
    notes: str


class OutcomeIn(Schema):
    outcome: str


class EscalateIn(Schema):
    reason: str
    to: Literal["community", "street", "department"] = "community"
    organisation: int | None = None


class ReasonIn(Schema):
    reason: str


class MergeIn(Schema):
    into: int = Field(..., description="The issue that takes over this one's concerns.")
    note: str = ""


class SplitIn(Schema):
    concerns: list[int]
    title: str = ""


class PublicTitleIn(Schema):
    title: str = Field(..., description="no phone, ID or room number")
    publish: bool | None = Field(None, description="make the whole story public (or not)")


class MoveIn(Schema):
    concern: int
    to: int


def _act(request: HttpRequest, issue_id: Id) -> Issue:
    return get_issue_for_user(request.user, issue_id)


@staff_post(router, "/issues/{issue_id}/accept", IssueDetailOut, "Accept")
def accept(request: HttpRequest, issue_id: Id, payload: NoteIn) -> Issue:
    issue = actions.accept_issue(_act(request, issue_id), actor=request.user, note=payload.note)
    return _detail(request, issue)


@staff_post(router, "/issues/{issue_id}/site-visit", IssueDetailOut, "Site Visit")
def site_visit(request: HttpRequest, issue_id: Id, payload: VisitIn) -> Issue:
    issue = actions.record_site_visit(
        _act(request, issue_id), actor=request.user, notes=payload.notes
    )
    return _detail(request, issue)


@staff_post(router, "/issues/{issue_id}/settle", IssueDetailOut, "Settle")
def settle(request: HttpRequest, issue_id: Id, payload: OutcomeIn) -> Issue:
    issue = actions.settle_issue(
        _act(request, issue_id), actor=request.user, outcome=payload.outcome
    )
    return _detail(request, issue)


@staff_post(router, "/issues/{issue_id}/escalate", IssueDetailOut, "Escalate")
def escalate(request: HttpRequest, issue_id: Id, payload: EscalateIn) -> Issue:
    """`to=community` from the grid; `street` or `department` (with `organisation`) from the
    community."""
    issue = _act(request, issue_id)
    if payload.to == "community":
        issue = actions.escalate_to_community(issue, actor=request.user, reason=payload.reason)
    else:
        organisation = (
            get_object_or_404(Organisation, pk=payload.organisation)
            if payload.organisation
            else None
        )
        issue = actions.escalate_onward(
            issue,
            actor=request.user,
            reason=payload.reason,
            to=payload.to,
            organisation=organisation,
        )
    return _detail(request, issue)


@staff_post(router, "/issues/{issue_id}/hand-back", IssueDetailOut, "Hand Back")
def hand_back(request: HttpRequest, issue_id: Id, payload: ReasonIn) -> Issue:
    issue = actions.hand_back(_act(request, issue_id), actor=request.user, reason=payload.reason)
    return _detail(request, issue)


@staff_post(router, "/issues/{issue_id}/public-title", IssueDetailOut, "Public Title")
def public_title(request: HttpRequest, issue_id: Id, payload: PublicTitleIn) -> Issue:
    """Set or confirm the title the public reads (boards, story pages, Open311), and with
    `publish` whether the whole story is public."""
    issue = actions.set_public_title(
        _act(request, issue_id), actor=request.user, title=payload.title, publish=payload.publish
    )
    return _detail(request, issue)


@staff_post(router, "/issues/{issue_id}/merge", IssueDetailOut, "Merge")
def merge(request: HttpRequest, issue_id: Id, payload: MergeIn) -> Issue:
    """Merge this issue into `into`; answers with the issue that remains."""
    source = _act(request, issue_id)
    into = get_issue_for_user(request.user, payload.into)
    return _detail(
        request, actions.merge_issues(source, into=into, actor=request.user, note=payload.note)
    )


@staff_post(router, "/issues/{issue_id}/split", IssueDetailOut, "Split", created=True)
def split(request: HttpRequest, issue_id: Id, payload: SplitIn) -> Status:
    """Take the listed concerns out into a new issue; answers with the new issue."""
    new = actions.split_issue(
        _act(request, issue_id),
        concern_ids=payload.concerns,
        actor=request.user,
        title=payload.title,
    )
    return Status(201, _detail(request, new))


@staff_post(router, "/issues/{issue_id}/move", IssueDetailOut, "Move")
def move(request: HttpRequest, issue_id: Id, payload: MoveIn) -> Issue:
    """Move one of this issue's concerns to issue `to`; answers with the target issue."""
    issue = _act(request, issue_id)
    concern = get_object_or_404(Concern, pk=payload.concern, issue=issue)
    target = get_issue_for_user(request.user, payload.to)
    actions.move_concern(concern, to=target, actor=request.user)
    return _detail(request, target)


# ---- Photos


class PhotoOut(Schema):
    id: int
    url: str = Field(..., description="The image (JPEG, PNG or WebP), for staff in scope")
    concern: int | None = Field(..., description="The concern it came with; null: a site visit")
    caption: str
    published: bool = Field(..., description="Published by staff: anyone with the url sees it")
    uploaded_at: datetime

    @staticmethod
    def resolve_url(obj: Photo) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_concern(obj: Photo) -> int | None:
        return obj.concern_id


@staff_get(router, "/issues/{issue_id}/photos", list[PhotoOut], "List Photos")
@paginate
def list_photos(request: HttpRequest, issue_id: Id) -> QuerySet[Photo]:
    """The photos residents sent with the issue's concerns and those of its site visits."""
    return actions.photos_of(_act(request, issue_id))


def _photo(request: HttpRequest, issue_id: Id, photo_id: Id) -> Photo:
    return get_object_or_404(actions.photos_of(_act(request, issue_id)), pk=photo_id)


@staff_post(router, "/issues/{issue_id}/photos/{photo_id}/publish", PhotoOut, "Publish Photo")
def publish_photo(request: HttpRequest, issue_id: Id, photo_id: Id) -> Photo:
    """Let anyone with its url see the photo (those who see residents' personal data)."""
    return actions.publish_photo(_photo(request, issue_id, photo_id), actor=request.user)


@staff_post(router, "/issues/{issue_id}/photos/{photo_id}/unpublish", PhotoOut, "Unpublish Photo")
def unpublish_photo(request: HttpRequest, issue_id: Id, photo_id: Id) -> Photo:
    """Make the photo private to staff in scope again."""
    return actions.unpublish_photo(_photo(request, issue_id, photo_id), actor=request.user)
