"""Following a community by phone: the form on its public page, the code, the stop link.

No account and no login: the pending subscription waits in the session (its id only, never
the phone), the stop link carries a signed token."""

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods

from core.errors import ActionError, RateLimited
from core.ratelimit import client_ip
from core.responses import too_many_requests
from notifications import following
from notifications.models import Subscription
from places.models import Area

PENDING = "notifications.follow.pending"


def community_section(request: HttpRequest, community: Area) -> str:
    """The follow form on a community's public page (a COMMUNITY_PAGE_SECTIONS entry)."""
    return render_to_string(
        "notifications/_follow_section.html", {"community": community}, request=request
    )


def _community(code: str) -> Area:
    community = get_object_or_404(Area, code=code)
    if community.kind != Area.Kind.COMMUNITY:
        raise Http404
    return community


def _pending(request: HttpRequest, community: Area) -> Subscription | None:
    pk = request.session.get(PENDING)
    if not isinstance(pk, int):
        return None
    return Subscription.objects.filter(pk=pk, community=community).first()


def _attempt(
    request: HttpRequest, step: Callable[..., Any], *args: Any
) -> tuple[Any, str, HttpResponse | None]:
    """Run one step of following from this address: (its answer, the refusal to show, the
    page answering too many tries)."""
    try:
        return step(*args, address=client_ip(request)), "", None
    except RateLimited as exc:
        page = too_many_requests(request, exc.retry_after or 60, message=str(exc.message))
        return None, "", page
    except ActionError as exc:
        return None, str(exc.message), None


def _form_step(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    done: Callable[[Any], HttpResponse],
    step: Callable[..., Any],
    *args: Any,
) -> HttpResponse:
    """GET shows the form; POST runs the step: its answer goes to `done`, a refusal shows on
    the form again (400), too many tries get the 429 page."""
    error = ""
    if request.method == "POST":
        answer, error, page = _attempt(request, step, *args)
        if page is not None:
            return page
        if not error:
            return done(answer)
    return render(request, template, {**context, "error": error}, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest, code: str) -> HttpResponse:
    """Step 1: the phone. A code is sent to it and the confirm page asks for it."""
    community = _community(code)

    def done(subscription: Subscription) -> HttpResponse:
        request.session[PENDING] = subscription.pk
        return redirect("notifications:follow_confirm", code=community.code)

    return _form_step(
        request,
        "notifications/follow.html",
        {"community": community, "phone": request.POST.get("phone", "")[:20]},
        done,
        following.request_follow,
        community,
        request.POST.get("phone", "")[:40],
    )


@require_http_methods(["GET", "POST"])
def follow_confirm(request: HttpRequest, code: str) -> HttpResponse:
    """Step 2: the code sent by SMS. The phone shows masked, as the one who typed it knows."""
    community = _community(code)
    subscription = _pending(request, community)
    if subscription is None:
        return redirect("notifications:follow", code=community.code)
    shown = {"community": community, "masked_phone": subscription.masked_phone}

    def done(_answer: Any) -> HttpResponse:
        request.session.pop(PENDING, None)
        return render(request, "notifications/follow_done.html", shown)

    return _form_step(
        request,
        "notifications/follow_confirm.html",
        shown,
        done,
        following.confirm_follow,
        subscription,
        request.POST.get("code", "")[:12],
    )


@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    """The one-tap stop link of every message: opening it stops; the page offers to follow
    again (POST) in case it was opened by mistake."""
    subscription = following.from_stop_token(token)
    if subscription is None:
        return render(request, "notifications/stop.html", {"invalid": True}, status=404)
    if request.method == "POST":
        following.resume_following(subscription)
        resumed = True
    else:
        following.stop_following(subscription)
        resumed = False
    return render(
        request,
        "notifications/stop.html",
        {
            "community": subscription.community,
            "masked_phone": subscription.masked_phone,
            "resumed": resumed,
            "token": token,
        },
    )
