"""Pages of 民事民办/民评: the staff list and item page, the public board, rating by tracking
code and the whole-story page. Each view parses input, calls one action and renders."""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from accountability import actions, matters, permissions
from accountability.forms import NoteForm, ProgressForm, PublishItemForm, RatingForm, ReopenForm
from accountability.models import ActionItem, Evaluation, EvaluationRule, ProgressUpdate, today
from accountability.story import build_story, public_start, staff_start
from accounts.models import Role, User
from accounts.permissions import scope_of, visible_areas
from concerns import codes
from concerns.models import Issue
from consultations.models import Resolution
from core.errors import ActionError, RateLimited
from core.steps import ObjectPage
from core.uploads import serve_image
from places.models import Area
from timeline.services import events_for


def _status_filter(items: Any, status: str) -> Any:
    if status == "overdue":
        return items.overdue()
    if status == "open":
        # 未销号: an item reported done stays listed until the community closes it.
        return items.not_closed()
    if status in ActionItem.Status.values:
        return items.filter(status=status)
    return items


def resolutions_to_publish(user: Any) -> list[Resolution]:
    """Resolutions not yet listed that concern the user's communities (made in them, or above
    them as a district's three-party consultation), for community staff to list."""
    scope = scope_of(user)
    paths = [path for kind, path in scope.grants if kind in permissions.MANAGING_ROLES]
    if not (paths or scope.is_admin):
        return []
    pending = (
        Resolution.objects.filter(action_items__isnull=True)
        .select_related("meeting__area", "topic")
        .order_by("-created_at")[:100]
    )
    return [
        r
        for r in pending
        if scope.is_admin
        or any(
            p.startswith(r.meeting.area.path) or r.meeting.area.path.startswith(p) for p in paths
        )
    ][:20]


def issues_to_publish(user: Any) -> list[Issue]:
    """Issues of the user's communities that staff may settle by listing an item without a
    meeting (accepted or being handled, not yet in consultation or action, or reopened by
    residents' ratings with no item yet)."""
    scope = scope_of(user)
    paths = [path for kind, path in scope.grants if kind in permissions.MANAGING_ROLES]
    if not (paths or scope.is_admin):
        return []
    condition = Q() if scope.is_admin else Q(pk__in=[])
    for path in paths:
        condition |= Q(community__path__startswith=path)
    # A matter residents reopened by their ratings (back "in action" with no item) is listed
    # from here too.
    reopened = Q(status=Issue.Status.IN_ACTION, action_items__isnull=True)
    return list(
        Issue.objects.filter(condition)
        .filter(
            Q(status__in=[Issue.Status.ACCEPTED, Issue.Status.IN_PROGRESS, Issue.Status.SETTLED])
            | reopened
        )
        .distinct()
        .order_by("-residents_count", "id")[:50]
    )


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    if not scope_of(request.user).is_staff:
        raise Http404
    status = request.GET.get("status", "open")
    items = _status_filter(permissions.visible_items(request.user), status)
    community = request.GET.get("community", "")
    if community:
        items = items.filter(community__code=community)
    items = items.select_related("community", "owner_organisation").order_by("deadline", "id")
    return render(
        request,
        "accountability/items.html",
        {
            "items": items[:200],
            "status": status,
            "statuses": [
                ("open", pgettext("action items", "Open")),
                ("overdue", _("Overdue")),
                *ActionItem.Status.choices,
                ("all", _("All")),
            ],
            "today": today(),
            "resolutions_to_publish": resolutions_to_publish(request.user),
            "issues_to_publish": issues_to_publish(request.user),
            "rules": [
                (c, EvaluationRule.percent_for(c))
                for c in visible_areas(request.user, Area.Kind.COMMUNITY)
                if permissions.can_publish_in(request.user, c)
            ][:5],
        },
    )


def _item_context(request: HttpRequest, item: ActionItem, **forms: Any) -> dict:
    user = request.user
    updates = ProgressUpdate.objects.filter(action_item=item).prefetch_related("photos")
    ratings = Evaluation.objects.filter(action_item=item, round=item.round)
    return {
        "item": item,
        "issues": item.issues.all(),
        "milestones": item.milestones.all(),
        "updates": updates,
        "events": events_for([item]),
        "ratings": ratings,
        "rating_counts": {
            label: sum(1 for r in ratings if r.rating == value)
            for value, label in Evaluation.Rating.choices
        },
        "is_owner": permissions.can(user, item, permissions.REPORT),
        "can_manage": permissions.can(user, item, permissions.MANAGE),
        "can_mark_done": permissions.can(user, item, permissions.DONE),
        "progress_form": forms.get("progress_form") or ProgressForm(item=item),
        "note_form": NoteForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "error": forms.get("error"),
    }


@login_required
@require_POST
def set_rule(request: HttpRequest, code: str) -> HttpResponse:
    community = get_object_or_404(Area, code=code, kind=Area.Kind.COMMUNITY)
    raw = request.POST.get("reopen_above_percent", "")
    try:
        actions.set_evaluation_rule(
            actor=request.user,
            community=community,
            reopen_above_percent=int(raw) if raw.strip().isdigit() else -1,
        )
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("accountability:items") + "?status=open")
    messages.success(request, _("Evaluation rule saved."))
    return redirect("accountability:items")


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.get_item_for_user(request.user, pk)
    return render(request, "accountability/item.html", _item_context(request, item))


def _page(request: HttpRequest, item: ActionItem) -> ObjectPage:
    return ObjectPage.of(
        request, item, "accountability/item.html", _item_context, "accountability:item"
    )


@login_required
@require_POST
def report_progress(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.get_item_for_user(request.user, pk, permissions.REPORT)
    return _page(request, item).step(
        lambda data: actions.report_progress(item, actor=request.user, **data),
        _("Progress reported."),
        ProgressForm(request.POST, request.FILES, item=item),
        "progress_form",
    )


def _transition(request: HttpRequest, pk: int, action: str, func: Any, done: str) -> HttpResponse:
    """A step that takes only a note; a note it cannot read is left out rather than refused."""
    item = permissions.get_item_for_user(request.user, pk, action)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _page(request, item).run(lambda: func(item, actor=request.user, note=note), done)


@login_required
@require_POST
def mark_done(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        permissions.DONE,
        actions.mark_done,
        _("Reported done: residents are asked to rate it."),
    )


@login_required
@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, permissions.MANAGE, actions.verify_item, _("Verified."))


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, permissions.MANAGE, actions.close_item, _("Closed (销号)."))


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.get_item_for_user(request.user, pk, permissions.MANAGE)
    return _page(request, item).step(
        lambda data: actions.reopen_item(item, actor=request.user, **data),
        _("Reopened."),
        ReopenForm(request.POST),
        "reopen_form",
    )


def _publish_source(request: HttpRequest) -> tuple[Resolution | None, Issue | None]:
    """The resolution (?resolution=) or the issue (?issue=) an item is published from."""
    if request.GET.get("resolution", "").isdigit():
        resolutions = Resolution.objects.select_related("topic", "meeting")
        return get_object_or_404(resolutions, pk=request.GET["resolution"]), None
    if request.GET.get("issue", "").isdigit():
        return None, get_object_or_404(Issue, pk=request.GET["issue"])
    return None, None


def _publishing_community(
    request: HttpRequest, resolution: Resolution | None, issue: Issue | None
) -> Area:
    """The community that publishes the item: the issue's, the one chosen (?community=), the
    resolution's own, or else the first of the user's; 403 if the user may not publish there."""
    community: Area | None
    communities = visible_areas(request.user, Area.Kind.COMMUNITY)
    if issue is not None:
        community = issue.community
    else:
        code = request.GET.get("community") or request.POST.get("community", "")
        area = resolution.topic.area if resolution else None
        community = (
            communities.filter(code=code).first()
            if code
            else (area if area and area.kind == Area.Kind.COMMUNITY else None)
        )
    if community is None:
        # A district-level resolution (e.g. a CPPCC three-party consultation): choose which of
        # your communities lists it.
        mine = [c for c in communities if permissions.can_publish_in(request.user, c)]
        if not mine:
            raise PermissionDenied
        community = mine[0]
    permissions.check_publish_in(request.user, community)
    return community


@login_required
def publish_item(request: HttpRequest) -> HttpResponse:
    """挂牌 from a resolution (?resolution=) or from an issue settled without a meeting."""
    resolution, issue = _publish_source(request)
    if resolution is None and issue is None:
        # Reached by hand or from an old link: the items page lists what can be listed.
        messages.info(
            request,
            _(
                "An action item is listed from a meeting's resolution or from an issue settled "
                "without a meeting: choose one below, or record a resolution at a meeting first."
            ),
        )
        return redirect(reverse("accountability:items") + "#to-list")
    community = _publishing_community(request, resolution, issue)
    initial = _carried_over(resolution, issue)
    form = PublishItemForm(request.POST or None, initial=initial, community=community)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.publish_action_item(
                actor=request.user,
                community=community,
                resolution=resolution,
                issues=[issue] if issue else [],
                idempotency_key=request.POST.get("idempotency_key") or None,
                **form.cleaned_data,
            )
        except ActionError as exc:
            error = exc
            exc.show_on(form)
        else:
            messages.success(request, _("Listed publicly."))
            return redirect("accountability:item", pk=item.pk)
    return render(
        request,
        "accountability/publish_item.html",
        {
            "form": form,
            "resolution": resolution,
            "issue": issue,
            "community": community,
            "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
        },
        status=error.status if error else (400 if request.method == "POST" else 200),
    )


TITLE_LIMIT = 160


def _carried_over(resolution: Resolution | None, issue: Issue | None) -> dict[str, Any]:
    """What the listing form starts with, so nothing agreed is typed again: from a resolution
    its text (whole; one too long for a title goes to the details for staff to summarise),
    its target date, its first responsible organisation and that organisation's one
    representative; from an issue its public title."""
    if issue is not None:
        return {"title": issue.title_for_public}
    if resolution is None:
        return {}
    text = resolution.text.strip()
    initial: dict[str, Any] = {"deadline": resolution.target_date}
    if len(text) <= TITLE_LIMIT:
        initial["title"] = text
    else:
        initial["description"] = text
    owner = resolution.responsible_organisations.first()
    if owner is not None:
        initial["owner_organisation"] = owner.pk
        people = list(
            User.objects.filter(
                roles__kind=Role.Kind.ORG_REPRESENTATIVE, roles__organisation=owner, is_active=True
            ).distinct()[:2]
        )
        if len(people) == 1:
            initial["owner"] = people[0].pk
    return initial


def board_items(community: Area) -> Any:
    return (
        ActionItem.objects.filter(community=community)
        .select_related("owner_organisation")
        .order_by("deadline", "id")
    )


BOARD_PAGE = 100


def board(request: HttpRequest, code: str) -> HttpResponse:
    """挂牌销号公示栏: every listed item of a community, open ones first, closed ones with their
    closing date. No personal data: organisations, dates, counts and progress text only."""
    community = get_object_or_404(Area, code=code, kind=Area.Kind.COMMUNITY)
    items = list(board_items(community))
    now = timezone.now()
    for item in items:
        item.overdue = item.is_overdue_at(now)
    open_items = [i for i in items if i.status != ActionItem.Status.CLOSED]
    closed_items = sorted(
        (i for i in items if i.status == ActionItem.Status.CLOSED),
        key=lambda i: i.closed_at,
        reverse=True,
    )
    open_page = Paginator(open_items, BOARD_PAGE).get_page(request.GET.get("page"))
    closed_page = Paginator(closed_items, BOARD_PAGE).get_page(request.GET.get("closed_page"))
    return render(
        request,
        "accountability/board.html",
        {
            "community": community,
            "open_page": open_page,
            "closed_page": closed_page,
            "open_count": len(open_items),
            "closed_count": len(closed_items),
            "overdue_count": sum(1 for i in open_items if i.overdue),
            # One reverse() for the page, not one per item.
            "story_prefix": reverse("accountability:story_public", args=["-"])[:-2],
        },
    )


def _rateable(concern: Any) -> list[ActionItem]:
    return list(
        ActionItem.objects.filter(issues=concern.issue_id, status=ActionItem.Status.DONE)
        .select_related("owner_organisation")
        .prefetch_related(
            Prefetch(
                "evaluations",
                queryset=Evaluation.objects.filter(resident_key=concern.resident_key),
                to_attr="mine",
            )
        )
    )


def story_lookup(request: HttpRequest) -> HttpResponse:
    """Enter a tracking code to follow the whole story and rate the outcome."""
    code = codes.normalise(request.GET.get("code", ""))
    if code:
        return redirect("accountability:story_code", code=code)
    return render(request, "accountability/story_lookup.html", {})


def _rate(
    request: HttpRequest, concern: Any, target: ActionItem | Issue, data: dict[str, Any]
) -> tuple[str, bool]:
    """The resident's rating of an item or of the matter, and the answer to show: what became
    of the matter (whether the rating reopened it). A refusal raises ActionError."""
    issue_before = Issue.objects.values_list("status", flat=True).get(pk=concern.issue_id)
    item = target if isinstance(target, ActionItem) else None
    item_before = item.status if item is not None else None
    rate_it: Any = actions.rate_item if item is not None else actions.rate_matter
    rate_it(
        target,
        tracking_code=concern.tracking_code,
        rating=data["rating"],
        comment=data["comment"],
        actor=request.user,
    )
    return matters.answer_after_rating(
        concern, data["rating"], issue_before=issue_before, item=item, item_before=item_before
    )


def story_by_code(request: HttpRequest, code: str) -> HttpResponse:
    """The whole story behind the resident's own code, with the items they may rate (none
    for a signed-in staff member: ratings are the residents')."""
    try:
        concern = codes.lookup(request, code)
    except RateLimited as exc:
        return codes.too_many_page(request, exc)
    except ActionError as exc:
        context = {"error": exc.message, "code": codes.normalise(code)}
        return render(request, "accountability/story_lookup.html", context, status=404)
    may_rate = permissions.may_rate(request.user)
    story = build_story(concern, public=True)
    rateable = _rateable(concern) if may_rate else []
    page = {"story": story, "to_rate": [], "code": concern.tracking_code}
    forms = {}
    error = None
    if request.method == "POST":
        try:
            permissions.check_may_rate(request.user)
            item = next(i for i in rateable if str(i.pk) == request.POST.get("item"))
        except ActionError as exc:
            return render(
                request,
                "accountability/story.html",
                {**page, "error": exc.message},
                status=exc.status,
            )
        except StopIteration:
            error = _("This item cannot be rated now.")
        else:
            form = forms[item.pk] = RatingForm(request.POST)
            if form.is_valid():
                try:
                    answer, _reopened = _rate(request, concern, item, form.cleaned_data)
                except ActionError as exc:
                    error = exc.message
                else:
                    messages.success(request, answer)
                    return redirect("accountability:story_code", code=concern.tracking_code)
            else:
                error = _("Choose a rating.")
    page["to_rate"] = [
        {"item": i, "form": forms.get(i.pk) or RatingForm(), "rated": bool(getattr(i, "mine", []))}
        for i in rateable
    ]
    return render(
        request,
        "accountability/story.html",
        {**page, "may_rate": may_rate, "error": error},
        status=400 if error else 200,
    )


def story_public(request: HttpRequest, token: str) -> HttpResponse:
    """The public whole story of a matter or an action item, by its unguessable address."""
    start, is_public = public_start(token, request.user)
    return render(
        request,
        "accountability/story.html",
        {"story": build_story(start, public=True), "to_rate": [], "preview": not is_public},
    )


def story(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The staff version, by kind and id: only for staff who may see the object; 404 to
    everyone else, signed in or not (no login page that would confirm the id exists)."""
    start = staff_start(kind, pk, request.user)
    return render(
        request,
        "accountability/story.html",
        {"story": build_story(start, public=False), "to_rate": [], "start": start},
    )


# ---- 民事民评 on the resident's tracking page (concerns' /concerns/t/<code>/ loads the box)


def _box(request: HttpRequest, concern: Any, **extra: Any) -> dict[str, Any]:
    return {
        "state": matters.state_for(concern),
        "code": concern.tracking_code,
        "form": RatingForm(),
        **extra,
    }


def _rating_target(request: HttpRequest, concern: Any) -> ActionItem | Issue:
    """What the posted rating is about: one of the matter's action items (?item=) or the
    matter itself; 404 for anything the code does not reach."""
    target: ActionItem | Issue | None
    if request.POST.get("item"):
        target = ActionItem.objects.filter(
            pk=_positive(request.POST["item"]), issues=concern.issue_id
        ).first()
    else:
        target = Issue.objects.filter(pk=_positive(request.POST.get("issue", ""))).first()
        if target is not None and target.pk != concern.issue_id:
            target = None  # a code rates only its own matter
    if target is None:
        raise Http404
    return target


def rate(request: HttpRequest, code: str) -> HttpResponse:
    """The rating box behind a tracking code: the matter once settled or resolved, and its
    action items awaiting ratings. htmx loads it into the tracking page and posts back into
    it; without JavaScript it is a page of its own and a plain form POST that returns to the
    tracking page. A signed-in account gets no box and cannot post one (403)."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    htmx = bool(getattr(request, "htmx", False))
    template = "accountability/_rate_box.html" if htmx else "accountability/rate.html"
    if not permissions.may_rate(request.user):
        # Refused before the code is looked at: trying codes teaches a staff account nothing.
        try:
            permissions.check_may_rate(request.user)
        except ActionError as exc:
            context = {"refused": exc.message, "code": code}
            return render(request, template, context, status=200 if htmx else 403)
    try:
        concern = codes.lookup(request, code)
    except RateLimited as exc:
        if htmx:
            return render(request, template, {"error": exc.message})
        return codes.too_many_page(request, exc)
    except ActionError:
        raise Http404 from None
    if request.method == "GET":
        return render(request, template, _box(request, concern, oob=htmx))
    form = RatingForm(request.POST)
    target = _rating_target(request, concern)
    error, status = _("Choose a rating."), 400
    if form.is_valid():
        try:
            answer, reopened = _rate(request, concern, target, form.cleaned_data)
        except ActionError as exc:
            error, status = exc.message, exc.status
        else:
            # The answer in place: what became of the matter, with its status as it is now.
            if not htmx:
                messages.success(request, answer)
                return redirect("concerns:track_code", code=concern.tracking_code)
            context = _box(request, concern, answer=answer, reopened=reopened, oob=True)
            return render(request, template, context)
    context = _box(request, concern, error=error, form=form)
    # htmx swaps only successful responses: the message goes inside the box.
    return render(request, template, context, status=200 if htmx else status)


def _positive(value: str) -> int:
    """A database id from a form field; 0 (matching nothing) for anything else."""
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 18:
        return 0
    return int(value)


def progress_photo(request: HttpRequest, pk: int, name: str) -> HttpResponseBase:
    """A progress photo, public like its item, served as an image that can run nothing."""
    photo = permissions.get_progress_photo(pk, name)
    return serve_image(request, photo.image, public=True)
