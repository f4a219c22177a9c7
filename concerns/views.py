"""Pages of 民事民提: thin views that parse input, call one action and render."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.masking import masking_for
from accounts.models import Organisation
from accounts.permissions import GRID_ROLES, can_view_area, scope_of, visible_areas
from accounts.pickers import escalation_targets
from concerns import actions, codes, search
from concerns.display import concern_place, public_photos, public_story
from concerns.forms import (
    IssueFilterForm,
    PatrolForm,
    ResidentConcernForm,
    StaffConcernForm,
    TrackForm,
)
from concerns.intake import store as intake_store
from concerns.intake import submit as intake
from concerns.models import Concern, Issue, Photo
from concerns.permissions import (
    can_handle,
    can_publish_photo,
    can_triage,
    get_concern_for_user,
    get_issue_for_user,
    get_photo_for_user,
    may_register,
    registration_places,
    visible_issues,
)
from concerns.throttle import limit_anonymous
from core.errors import ActionError, RateLimited
from core.links import offered_links, page_url
from core.uploads import serve_image
from places.models import Area
from timeline.services import events_for
from timeline.verbs import note_is_public, shown_to_residents

PAGE_SIZE = 30


def _community_from(request: HttpRequest) -> Area | None:
    code = request.POST.get("community") or request.GET.get("community")
    if not code:
        return None
    return intake_store.community_by_code(code)


# ---- Residents


def submit(request: HttpRequest) -> HttpResponse:
    """A resident's own form: no account, a phone number for the call-back."""
    community = _community_from(request)
    if request.method == "POST":
        form = ResidentConcernForm(request.POST, request.FILES)
        form.set_community(community)
        if form.is_valid():
            try:
                limit_anonymous(request, form.cleaned_data.get("phone", ""))
                concern = intake.submit_concern(
                    community=form.cleaned_data["community"],
                    content=form.cleaned_data["content"],
                    channel=Concern.Channel.WEB,
                    phone=form.cleaned_data["phone"],
                    name=form.cleaned_data["name"],
                    address=form.cleaned_data["address"],
                    building=form.cleaned_building(),
                    compound=form.cleaned_compound(),
                    photos=request.FILES.getlist("photos"),
                    idempotency_key=intake.scoped_idempotency_key(
                        request.POST.get("idempotency_key"), phone=form.cleaned_data["phone"]
                    ),
                )
            except RateLimited as exc:
                form.add_error(None, exc.message)
                response = render(
                    request,
                    "concerns/submit.html",
                    {"form": form, "community": community},
                    status=429,
                )
                response["Retry-After"] = str(exc.retry_after)
                return response
            except ActionError as exc:
                exc.show_on(form)
            else:
                return redirect("concerns:track_code", code=concern.tracking_code)
        return render(
            request, "concerns/submit.html", {"form": form, "community": community}, status=400
        )
    form = ResidentConcernForm(
        initial={
            "community": community.code if community else None,
            "compound": request.GET.get("compound", ""),
        }
    )
    form.set_community(community)
    return render(request, "concerns/submit.html", {"form": form, "community": community})


def track(request: HttpRequest) -> HttpResponse:
    """Enter a tracking code to follow a concern."""
    form = TrackForm(request.GET or None)
    if form.is_valid():
        try:
            concern = codes.lookup(request, form.cleaned_data["code"])
        except RateLimited as exc:
            return codes.too_many_page(request, exc)
        except ActionError as exc:
            form.add_error("code", exc.message)
        else:
            return redirect("concerns:track_code", code=concern.tracking_code)
    return render(
        request, "concerns/track.html", {"form": form}, status=404 if form.errors else 200
    )


def track_code(request: HttpRequest, code: str) -> HttpResponse:
    """The public status and timeline of the issue behind a code; no personal data. The
    rating box is for the resident: a signed-in staff member is not offered one."""
    try:
        concern = codes.lookup(request, code)
    except RateLimited as exc:
        return codes.too_many_page(request, exc)
    except ActionError:
        raise Http404 from None
    issue, story = public_story(concern)
    return render(
        request,
        "concerns/tracked.html",
        {
            "concern": concern,
            "issue": issue,
            "story": story,
            "public_photos": public_photos(issue),
            "may_rate": not request.user.is_authenticated,
            "rate_url": page_url("concern_rating", concern),
            "story_url": page_url("concern_story", concern),
        },
    )


# ---- Staff: registering


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """来信来访登记表: staff register a call, a message, a letter or a visit in their community;
    grid workers and volunteers in their own grid."""
    places = registration_places(request.user)
    chosen = _community_from(request)
    if not places or (chosen is not None and all(c.pk != chosen.pk for c, _g in places)):
        # Read-only roles see the community but may not write in it: say so before they type.
        if chosen is not None:
            seen = can_view_area(request.user, chosen)
        else:
            seen = visible_areas(request.user, Area.Kind.COMMUNITY).exists()
        raise PermissionDenied if seen else Http404
    community, grid = next(((c, g) for c, g in places if chosen and c.pk == chosen.pk), places[0])
    communities = [c for c, _g in places]
    form = StaffConcernForm(request.POST or None, request.FILES or None)
    form.set_community(community, grid)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            concern = intake.submit_concern(
                community=community,
                content=data["content"],
                channel=data["channel"],
                phone=data["phone"],
                name=data["name"],
                address=data["address"],
                building=form.cleaned_building(),
                category=data["category"],
                urgency=data["urgency"],
                received_at=data["received_at"],
                actor=request.user,
                photos=request.FILES.getlist("photos"),
                idempotency_key=intake.scoped_idempotency_key(
                    request.POST.get("idempotency_key"), phone=data["phone"], actor=request.user
                ),
            )
        except ActionError as exc:
            exc.show_on(form)
        else:
            # The tracking code is the resident's secret: it goes to them by SMS, never
            # through a staff member's screen.
            if concern.phone:
                done = _("Registered. The resident gets the tracking code by text message.")
            else:
                done = _("Registered. Without a phone number the resident gets no tracking code.")
            messages.success(request, done)
            return redirect("concerns:issue", pk=concern.issue_id)
    return render(
        request,
        "concerns/register.html",
        {"form": form, "community": community, "grid": grid, "communities": communities},
        status=400 if form.errors else 200,
    )


@login_required
def patrol(request: HttpRequest) -> HttpResponse:
    """网格排查: a grid worker's quick entry from a round of the grid."""
    grids = list(visible_areas(request.user, Area.Kind.GRID).select_related("parent"))
    grid = next(
        (g for g in grids if g.code == request.GET.get("grid")), grids[0] if grids else None
    )
    if grid is None:
        raise Http404
    community = grid.parent
    form = PatrolForm(request.POST or None, request.FILES or None)
    form.set_community(community)
    if request.method == "POST" and form.is_valid():
        building = form.cleaned_building()
        try:
            concern = intake.submit_concern(
                community=community,  # type: ignore[arg-type]
                content=form.cleaned_data["content"],
                channel=Concern.Channel.PATROL,
                building=building,
                category=form.cleaned_data["category"],
                actor=request.user,
                photos=request.FILES.getlist("photos"),
                idempotency_key=intake.scoped_idempotency_key(
                    request.POST.get("idempotency_key"), actor=request.user
                ),
            )
        except ActionError as exc:
            exc.show_on(form)
        else:
            messages.success(request, _("Recorded: %(title)s") % {"title": concern.issue.title})
            return redirect("concerns:queue")
    return render(
        request,
        "concerns/patrol.html",
        {"form": form, "grid": grid, "grids": grids},
        status=400 if form.errors else 200,
    )


# ---- Staff: lists


def _board_rows(issues: QuerySet[Issue]) -> QuerySet[Issue]:
    return issues.select_related("community", "grid", "category")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """A grid worker's queue: open issues handled in their grids, overdue first."""
    scope = scope_of(request.user)
    if not scope.is_staff:
        raise PermissionDenied
    grids = visible_areas(request.user, Area.Kind.GRID)
    issues = _board_rows(
        visible_issues(request.user).filter(
            status__in=Issue.OPEN_STATUSES, level=Issue.Level.GRID, grid__in=grids
        )
    ).order_by("accept_due_at", "-residents_count")
    page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
    is_grid = bool(scope.roles & set(GRID_ROLES))
    return render(
        request,
        "concerns/queue.html",
        {
            "page": page,
            "is_grid_worker": is_grid or scope.is_admin,
            "may_register": may_register(request.user),
        },
    )


@login_required
def issues(request: HttpRequest) -> HttpResponse:
    """The community's issue board: filter by grid, category, status, channel, overdue."""
    if not scope_of(request.user).is_staff:
        raise PermissionDenied
    grids = visible_areas(request.user, Area.Kind.GRID).select_related("parent")
    form = IssueFilterForm(request.GET or None, grids=grids)
    rows = _board_rows(visible_issues(request.user))
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("q"):
        rows = search.search(rows, data["q"])  # within the scope, never beyond it
    if data.get("grid"):
        rows = rows.filter(grid=data["grid"])
    if data.get("category"):
        rows = rows.filter(category=data["category"])
    status = data.get("status") or "open"
    if status == "open":
        rows = rows.filter(status__in=Issue.OPEN_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    if data.get("channel"):
        rows = rows.filter(
            Exists(Concern.objects.filter(issue=OuterRef("pk"), channel=data["channel"]))
        )
    if data.get("overdue"):
        now = timezone.now()
        rows = rows.filter(
            Q(status=Issue.Status.NEW, accept_due_at__lt=now)
            | Q(status__in=Issue.OPEN_STATUSES, resolve_due_at__lt=now)
        )
    sort = data.get("sort") or "residents"
    order = {
        "residents": ["-residents_count", "first_received_at"],
        "oldest": ["first_received_at"],
        "newest": ["-first_received_at"],
    }[sort]
    page = Paginator(rows.order_by(*order, "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "concerns/issues.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_register": may_register(request.user),
        },
    )


# ---- Staff: one issue


@login_required
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue_for_user(request.user, pk)
    masking = masking_for(request.user, issue)
    concerns = list(
        issue.concerns.select_related("building", "building__compound", "compound")
        .prefetch_related("photos")
        .order_by("received_at")
    )
    for concern in concerns:
        concern.shown_phone = masking.phone(concern.phone)  # type: ignore[attr-defined]
        concern.shown_name = masking.name(concern.reporter_name)  # type: ignore[attr-defined]
        concern.shown_address = masking.address(concern.address, concern_place(concern))  # type: ignore[attr-defined]
    triage = can_triage(request.user, issue)
    candidates = []
    if triage and issue.is_open:
        candidates = intake.candidates_for_issue(issue)[:8]
    departments = escalation_targets(issue.community)
    return render(
        request,
        "concerns/issue.html",
        {
            "issue": issue,
            "concerns": concerns,
            "can_handle": can_handle(request.user, issue),
            "can_triage": triage,
            "candidates": candidates,
            "events": _staff_timeline(issue),
            "public_story_url": public_story_url(issue),
            "photos": issue.photos.order_by("uploaded_at", "pk"),
            "can_publish_photos": can_publish_photo(request.user, issue),
            "departments": departments if triage else [],
            "links": offered_links("issue", request, issue),
            "Level": Issue.Level,
            "Status": Issue.Status,
        },
    )


def _staff_timeline(issue: Issue) -> list[Any]:
    """Every event, each marked with whether residents see it, and whether its note."""
    events = list(events_for([issue]).select_related("actor"))
    for event in events:
        event.shown_publicly = event.public and shown_to_residents(event.verb)
        event.note_public = event.shown_publicly and note_is_public(event.verb)
    return events


def public_story_url(issue: Issue) -> str:
    """The public whole-story page of the issue, when the story step is installed."""
    if not issue.story_token:
        return ""
    return page_url("issue_story", issue)


@login_required
def concern_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the open issues one concern may belong to, ranked, to move it."""
    concern = get_concern_for_user(request.user, pk)
    if not can_triage(request.user, concern.issue):
        raise PermissionDenied
    return render(
        request,
        "concerns/_candidates.html",
        {"concern": concern, "candidates": intake.candidates_for_concern(concern)[:8]},
    )


def _text(request: HttpRequest, name: str) -> str:
    return request.POST.get(name, "")


def _other_issue(request: HttpRequest, name: str) -> Issue:
    raw = request.POST.get(name, "")
    if not raw.isdigit():
        raise ActionError(_("Choose an issue."), code="issue_required", field=name)
    return get_issue_for_user(request.user, int(raw))


def _concern_of(request: HttpRequest, issue: Issue) -> Concern:
    raw = request.POST.get("concern", "")
    concern = issue.concerns.filter(pk=int(raw)).first() if raw.isdigit() else None
    if concern is None:
        raise ActionError(_("Choose a concern."), code="unknown_concern", field="concern")
    return concern


def _photo_of(request: HttpRequest, issue: Issue) -> Photo:
    raw = request.POST.get("photo", "")
    photo = actions.photos_of(issue).filter(pk=int(raw)).first() if raw.isdigit() else None
    if photo is None:
        raise ActionError(_("Choose a photo."), code="unknown_photo", field="photo")
    return photo


def _organisation(request: HttpRequest) -> Organisation | None:
    raw = request.POST.get("organisation", "")
    return Organisation.objects.filter(pk=int(raw)).first() if raw.isdigit() else None


ISSUE_ACTIONS: dict[str, Callable[[HttpRequest, Issue], Any]] = {
    "accept": lambda r, i: actions.accept_issue(i, actor=r.user, note=_text(r, "note")),
    "visit": lambda r, i: actions.record_site_visit(
        i, actor=r.user, notes=_text(r, "notes"), photos=r.FILES.getlist("photos")
    ),
    "settle": lambda r, i: actions.settle_issue(i, actor=r.user, outcome=_text(r, "outcome")),
    "escalate": lambda r, i: actions.escalate_to_community(
        i, actor=r.user, reason=_text(r, "reason")
    ),
    "escalate_onward": lambda r, i: actions.escalate_onward(
        i,
        actor=r.user,
        reason=_text(r, "reason"),
        to=_text(r, "to"),
        organisation=_organisation(r),
    ),
    "hand_back": lambda r, i: actions.hand_back(i, actor=r.user, reason=_text(r, "reason")),
    "retitle": lambda r, i: actions.retitle_issue(i, actor=r.user, title=_text(r, "title")),
    "public_title": lambda r, i: actions.set_public_title(
        i,
        actor=r.user,
        title=_text(r, "public_title"),
        publish=r.POST.get("publish") == "1" if r.POST.get("publish_shown") else None,
    ),
    "merge": lambda r, i: actions.merge_issues(
        _other_issue(r, "source"), into=i, actor=r.user, note=_text(r, "note")
    ),
    "split": lambda r, i: actions.split_issue(
        i,
        concern_ids=[int(x) for x in r.POST.getlist("concerns") if x.isdigit()],
        actor=r.user,
        title=_text(r, "title"),
    ),
    "move": lambda r, i: actions.move_concern(
        _concern_of(r, i), to=_other_issue(r, "to"), actor=r.user
    ),
    "confirm": lambda r, i: actions.confirm_grouping(_concern_of(r, i), actor=r.user),
    "publish_photo": lambda r, i: actions.publish_photo(_photo_of(r, i), actor=r.user),
    "unpublish_photo": lambda r, i: actions.unpublish_photo(_photo_of(r, i), actor=r.user),
}


# What the banner says after each action succeeds.
ACTION_DONE = {
    "accept": gettext_lazy("Accepted. Handle it within the time limit."),
    "visit": gettext_lazy("Site visit recorded."),
    "settle": gettext_lazy("Settled. The resident can follow the outcome with the tracking code."),
    "escalate": gettext_lazy("Reported to the community."),
    "escalate_onward": gettext_lazy("Reported to the street or the department."),
    "hand_back": gettext_lazy("Handed back to the grid."),
    "retitle": gettext_lazy("Title changed."),
    "public_title": gettext_lazy("Public title saved."),
    "merge": gettext_lazy("Issues merged."),
    "split": gettext_lazy("Concerns split into a new issue."),
    "move": gettext_lazy("Concern moved."),
    "confirm": gettext_lazy("Grouping confirmed."),
    "publish_photo": gettext_lazy("Photo published: anyone with its address may now see it."),
    "unpublish_photo": gettext_lazy("Photo taken back: only staff in scope see it."),
}


@login_required
@require_POST
def issue_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every staff action on an issue: one action function each, errors shown as messages."""
    if action not in ISSUE_ACTIONS:
        raise Http404
    issue = get_issue_for_user(request.user, pk)
    target = issue
    try:
        result = ISSUE_ACTIONS[action](request, issue)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("concerns:issue", pk=issue.pk)
    messages.success(request, str(ACTION_DONE[action]))
    if isinstance(result, Issue):
        target = result
    if target.status == Issue.Status.MERGED and target.merged_into_id:
        return redirect("concerns:issue", pk=target.merged_into_id)
    return redirect("concerns:issue", pk=target.pk)


def photo(request: HttpRequest, pk: int, name: str) -> HttpResponseBase:
    """A concern's or a site visit's photo, as an image that can run nothing: for staff whose
    scope covers its issue, for anyone once published; 404 otherwise."""
    found = get_photo_for_user(request.user, pk, name)
    return serve_image(request, found.image, public=found.published)
