"""JSON API of 民事民办/民评: action items, progress, verification, closing, reopening and
residents' evaluations. Every change goes through accountability.actions; bad input is a 4xx
in the one error format and writes nothing."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status
from typing_extensions import TypeAliasType

from accountability import actions, matters, permissions
from accountability.models import ActionItem, Evaluation, ProgressUpdate
from accounts.api_auth import optional_user, staff_get, staff_post
from accounts.models import Organisation, User
from concerns import codes
from concerns.models import Concern, Issue
from concerns.permissions import get_issue_for_user
from consultations.models import Resolution
from core.errors import RATE_LIMITED, ActionError, answers
from core.ids import Id
from places.models import Area
from timeline.public import mask_public_text

router = Router(tags=["action items"])

# The OpenAPI document names an enum after its class, and several models have a Kind or a
# Status: a named alias gives each its own component (tested in yishi/tests/test_openapi.py).
ActionItemStatus = TypeAliasType("ActionItemStatus", ActionItem.Status)
EvaluationRating = TypeAliasType("EvaluationRating", Evaluation.Rating)


class ItemOut(Schema):
    id: int
    title: str
    description: str
    community: str = Field(..., alias="community.code")
    owner_organisation: str = Field(..., alias="owner_organisation.name")
    status: ActionItemStatus
    listed_at: datetime
    deadline: date
    overdue: bool = Field(..., alias="is_overdue")
    residents_count: int
    latest_progress: str
    latest_progress_at: datetime | None
    verified_at: datetime | None
    closed_at: datetime | None
    resolution_id: int | None
    round: int


class MilestoneIn(Schema):
    title: str
    due_on: date


class ItemIn(Schema):
    community: str = Field(..., description="code of the listing community")
    title: str
    description: str = ""
    owner_organisation: int = Field(..., description="id of the owner organisation")
    owner: int | None = Field(None, description="id of the person in charge (optional)")
    deadline: date
    resolution: int | None = None
    issues: list[int] = []
    milestones: list[MilestoneIn] = []
    idempotency_key: str | None = None


class ItemNoteIn(Schema):
    note: str = ""


class ProgressIn(Schema):
    text: str


class ProgressOut(Schema):
    id: int
    text: str
    created_at: datetime
    photos: int

    @staticmethod
    def resolve_photos(obj: ProgressUpdate) -> int:
        return obj.photos.count()


class EvaluationIn(Schema):
    rating: EvaluationRating
    comment: str = ""


class EvaluationOut(Schema):
    id: int
    rating: str
    comment: str
    round: int
    created_at: datetime
    issue_id: int
    action_item_id: int | None


class MatterOut(Schema):
    """What a resident may rate about the matter behind their tracking code."""

    issue_id: int
    title: str
    status: str
    outcome: str
    round: int
    settled: bool = Field(..., description="settled or resolved: the matter itself may be rated")
    can_rate: bool
    rated: bool
    my_rating: str | None
    items_to_rate: list[int] = Field(
        ..., description="action items reported done that this resident has not rated yet"
    )


class BoardItemOut(Schema):
    """An item as the public read it: free text masked by timeline.public's rule."""

    id: int
    title: str
    owner_organisation: str = Field(..., alias="owner_organisation.name")
    status: str
    deadline: date
    overdue: bool = Field(..., alias="is_overdue")
    residents_count: int
    latest_progress: str
    latest_progress_at: datetime | None
    closed_at: datetime | None
    story_url: str = Field(..., description="the item's public whole-story page")

    @staticmethod
    def resolve_title(obj: ActionItem) -> str:
        return mask_public_text(obj.title)

    @staticmethod
    def resolve_latest_progress(obj: ActionItem) -> str:
        return mask_public_text(obj.latest_progress)

    @staticmethod
    def resolve_story_url(obj: ActionItem) -> str:
        return reverse("accountability:story_public", args=[obj.story_token])


def _item(request: HttpRequest, pk: int, action: str = permissions.VIEW) -> ActionItem:
    return permissions.get_item_for_user(request.user, pk, action)


def _item_step(step: str, summary: str) -> Callable:
    """A step on one item that takes only a note."""
    return staff_post(router, f"/action-items/{{item_id}}/{step}", ItemOut, summary)


def _noted(
    act: Callable[..., ActionItem], request: HttpRequest, pk: int, payload: ItemNoteIn
) -> ActionItem:
    return act(_item(request, pk), actor=request.user, note=payload.note)


@staff_get(router, "/action-items", list[ItemOut], "List items")
@paginate
def list_items(
    request: HttpRequest, status: str | None = None, area: str | None = None
) -> QuerySet[ActionItem]:
    """Items the caller may see; `status` is one of the statuses, `open` or `overdue`;
    `area` keeps the items of communities under that area code."""
    items = permissions.visible_items(request.user)
    if status == "overdue":
        items = items.overdue()
    elif status == "open":
        items = items.open()
    elif status:
        if status not in ActionItem.Status.values:
            raise ActionError(_("Unknown status."), code="unknown_status", field="status")
        items = items.filter(status=status)
    if area:
        # Codes are unique and paths are /street/community/…/: a code with a slash or a
        # control character matches nothing rather than reaching SQL.
        if area.isprintable() and "/" not in area:
            items = items.filter(community__path__contains=f"/{area}/")
        else:
            items = items.none()
    return items.select_related("community", "owner_organisation").order_by("deadline", "id")


@staff_get(router, "/action-items/{item_id}", ItemOut, "One item")
def get_item(request: HttpRequest, item_id: Id) -> ActionItem:
    return _item(request, item_id)


@staff_post(router, "/action-items", ItemOut, "Publish an item (挂牌)", 404, created=True)
def publish_item(request: HttpRequest, payload: ItemIn) -> Status:
    community = Area.objects.filter(code=payload.community, kind=Area.Kind.COMMUNITY).first()
    if community is None:
        raise ActionError(_("Unknown community."), code="unknown_community", field="community")
    owner_org = Organisation.objects.filter(pk=payload.owner_organisation).first()
    if owner_org is None:
        raise ActionError(
            _("Unknown organisation."), code="unknown_organisation", field="owner_organisation"
        )
    owner = None
    if payload.owner is not None:
        owner = User.objects.filter(pk=payload.owner).first()
        if owner is None:
            raise ActionError(_("Unknown person."), code="unknown_person", field="owner")
    resolution = None
    if payload.resolution is not None:
        resolution = (
            Resolution.objects.select_related("topic").filter(pk=payload.resolution).first()
        )
        if resolution is None:
            raise ActionError(
                _("Unknown resolution."), code="unknown_resolution", field="resolution"
            )
    issues = list(Issue.objects.filter(pk__in=payload.issues))
    if len(issues) != len(set(payload.issues)):
        raise ActionError(_("Unknown issue."), code="unknown_issue", field="issues")
    item = actions.publish_action_item(
        actor=request.user,
        community=community,
        title=payload.title,
        description=payload.description,
        owner_organisation=owner_org,
        owner=owner,
        deadline=payload.deadline,
        resolution=resolution,
        issues=issues,
        milestones=[(m.title, m.due_on) for m in payload.milestones],
        idempotency_key=payload.idempotency_key,
    )
    return Status(201, item)


@staff_get(router, "/action-items/{item_id}/progress", list[ProgressOut], "Progress updates")
@paginate
def list_progress(request: HttpRequest, item_id: Id) -> QuerySet[ProgressUpdate]:
    item = _item(request, item_id)
    return item.progress_updates.prefetch_related("photos").order_by("created_at", "id")


@staff_post(
    router,
    "/action-items/{item_id}/progress",
    ProgressOut,
    "Report progress (the owner)",
    created=True,
)
def post_progress(request: HttpRequest, item_id: Id, payload: ProgressIn) -> Status:
    item = _item(request, item_id)
    return Status(201, actions.report_progress(item, actor=request.user, text=payload.text))


@staff_post(
    router,
    "/action-items/{item_id}/progress-with-photos",
    ProgressOut,
    "Report progress with photos (the owner; multipart/form-data)",
    created=True,
)
def post_progress_with_photos(
    request: HttpRequest,
    item_id: Id,
    text: Form[str],
    photos: File[list[UploadedFile]],
) -> Status:
    item = _item(request, item_id)
    return Status(201, actions.report_progress(item, actor=request.user, text=text, photos=photos))


@_item_step("done", "Done")
def post_done(request: HttpRequest, item_id: Id, payload: ItemNoteIn) -> ActionItem:
    return _noted(actions.mark_done, request, item_id, payload)


@_item_step("verify", "Verify (验收)")
def post_verify(request: HttpRequest, item_id: Id, payload: ItemNoteIn) -> ActionItem:
    return _noted(actions.verify_item, request, item_id, payload)


@_item_step("close", "Close (销号)")
def post_close(request: HttpRequest, item_id: Id, payload: ItemNoteIn) -> ActionItem:
    return _noted(actions.close_item, request, item_id, payload)


@_item_step("reopen", "Reopen")
def post_reopen(request: HttpRequest, item_id: Id, payload: ItemNoteIn) -> ActionItem:
    return _noted(actions.reopen_item, request, item_id, payload)


@staff_get(router, "/action-items/{item_id}/evaluations", list[EvaluationOut], "Residents' ratings")
@paginate
def list_evaluations(request: HttpRequest, item_id: Id) -> QuerySet[Evaluation]:
    return _item(request, item_id).evaluations.order_by("created_at", "id")


class MyItemOut(BoardItemOut):
    can_rate: bool
    rated: bool


def _resident_concern(request: HttpRequest, tracking_code: str) -> Concern:
    """The concern behind a resident's tracking code (the credential), lookups limited per
    client address (429 with Retry-After; 404 `unknown_code`)."""
    return codes.lookup(request, tracking_code)


def _resident_post(path: str, summary: str) -> Callable:
    """A resident's rating, public: the tracking code is the credential."""
    return router.post(
        path,
        openapi_extra=answers(403, 429),
        response={201: EvaluationOut},
        tags=["public board"],
        summary=summary,
    )


def _resident_rates(
    request: HttpRequest,
    tracking_code: str,
    find: Callable[[Concern], Any],
    rate: Callable[..., Evaluation],
    payload: EvaluationIn,
) -> Status:
    """A resident rates what `find` reaches from their concern (404 when it reaches nothing):
    a signed-in account is refused first, then the code is looked up (429, 404)."""
    user = _rater(request)
    concern = _resident_concern(request, tracking_code)
    target = find(concern)
    if target is None:
        raise Http404
    evaluation = rate(
        target,
        tracking_code=concern.tracking_code,
        rating=payload.rating,
        comment=payload.comment,
        actor=user,
    )
    return Status(201, evaluation)


def _rater(request: HttpRequest) -> Any:
    """Whoever is signed in (session or bearer token): refused before the code is looked at,
    so a staff account learns nothing from trying codes either."""
    user = optional_user(request)
    permissions.check_may_rate(user)
    return user


@router.get(
    "/concerns/{tracking_code}/action-items",
    openapi_extra=RATE_LIMITED,
    response=list[MyItemOut],
    tags=["public board"],
    summary="The action items behind a resident's concern, by tracking code (public)",
)
@paginate
def items_by_code(request: HttpRequest, tracking_code: str) -> list[ActionItem]:
    """Public, for residents' apps: what is being done about the concern with this tracking
    code (its status is at GET /concerns/{tracking_code}), and whether the resident may rate
    an item now (then POST /concerns/{tracking_code}/action-items/{item_id}/evaluations)."""
    concern = _resident_concern(request, tracking_code)
    items = (
        ActionItem.objects.filter(issues=concern.issue_id)
        .select_related("owner_organisation")
        .order_by("listed_at", "id")
    )
    rated = set(
        Evaluation.objects.filter(
            action_item__in=items, resident_key=concern.resident_key
        ).values_list("action_item_id", "round")
    )
    result = list(items)
    for item in result:
        item.rated = (item.pk, item.round) in rated
        item.can_rate = item.can_be_rated() and not item.rated
    return result


@_resident_post(
    "/concerns/{tracking_code}/action-items/{item_id}/evaluations",
    "Rate an item behind your concern (民事民评; public, by tracking code)",
)
def post_evaluation(
    request: HttpRequest, tracking_code: str, item_id: Id, payload: EvaluationIn
) -> Status:
    """Open to residents: the tracking code of a concern behind the item is the credential
    (404 when the item is not behind that concern). Each resident rates once per round;
    attempts are rate-limited (429). Staff read the ratings at
    GET /action-items/{item_id}/evaluations. A signed-in account (session or bearer token)
    never rates: 403 `staff_cannot_rate`."""
    return _resident_rates(
        request,
        tracking_code,
        lambda concern: ActionItem.objects.filter(pk=item_id, issues=concern.issue_id).first(),
        actions.rate_item,
        payload,
    )


@router.get(
    "/concerns/{tracking_code}/matter",
    openapi_extra=RATE_LIMITED,
    response=MatterOut,
    tags=["public board"],
    summary="Whether the resident may rate their matter, by tracking code (public)",
)
def matter_by_code(request: HttpRequest, tracking_code: str) -> MatterOut:
    """Public, for residents' apps: every matter settled (in the grid or by the community) or
    resolved is rated once per round by each resident behind it (民事民评), with
    POST /concerns/{tracking_code}/issues/{issue_id}/evaluations; action items reported done
    are rated as before."""
    concern = _resident_concern(request, tracking_code)
    state = matters.state_for(concern)
    issue = state.issue
    return MatterOut(
        issue_id=issue.pk,
        title=issue.title_for_public,
        status=issue.status,
        outcome=mask_public_text(issue.outcome) if state.settled else "",
        round=state.round,
        settled=state.settled,
        can_rate=state.can_rate,
        rated=state.mine is not None,
        my_rating=state.mine.rating if state.mine else None,
        items_to_rate=[i.pk for i in state.items if i.pk not in state.rated_items],
    )


@_resident_post(
    "/concerns/{tracking_code}/issues/{issue_id}/evaluations",
    "Rate your settled matter (民事民评; public, by tracking code)",
)
def post_matter_evaluation(
    request: HttpRequest, tracking_code: str, issue_id: Id, payload: EvaluationIn
) -> Status:
    """Open to residents: the tracking code of a concern of the issue is the credential (404
    when the issue is not that concern's). Once per resident per round (409 `already_rated`);
    409 `not_settled` before the matter is settled or resolved; attempts are rate-limited
    (429). Staff read the ratings at GET /issues/{issue_id}/evaluations; a signed-in account
    (session or bearer token) never rates: 403 `staff_cannot_rate`."""
    return _resident_rates(
        request,
        tracking_code,
        lambda concern: concern.issue if concern.issue_id == issue_id else None,
        actions.rate_matter,
        payload,
    )


@staff_get(
    router,
    "/issues/{issue_id}/evaluations",
    list[EvaluationOut],
    "Residents' ratings of a matter and of its action items",
)
@paginate
def list_issue_evaluations(request: HttpRequest, issue_id: Id) -> QuerySet[Evaluation]:
    """Staff who may see the issue (its community's, or its grid's; 404 otherwise)."""
    issue = get_issue_for_user(request.user, issue_id)
    return Evaluation.objects.filter(issue=issue).order_by("created_at", "id")


@router.get(
    "/boards/{code}",
    response=list[BoardItemOut],
    tags=["public board"],
    summary="A community's public board (挂牌销号公示栏)",
)
@paginate
def board(request: HttpRequest, code: str) -> QuerySet[ActionItem]:
    """Public: every item the community listed, closed ones included; no personal data."""
    community = get_object_or_404(Area, code=code, kind=Area.Kind.COMMUNITY)
    return (
        ActionItem.objects.filter(community=community)
        .select_related("owner_organisation")
        .order_by("deadline", "id")
    )
