"""Area profile pages: the public profile with its history, and the staff edit page."""

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ActionError
from places import actions
from places.forms import DescribeForm, FacilityForm, FigureForm
from places.models import Area, AreaFacility, AreaProfile
from places.permissions import (
    can_edit_profile,
    get_area_for_profile,
    get_area_for_profile_edit,
)
from places.profiles import card_for, figure_history
from timeline.services import events_for


@require_GET
def profile(request: HttpRequest, code: str) -> HttpResponse:
    """Public: the latest figures, and every figure ever recorded with its date and source."""
    area = get_area_for_profile(code)
    history = figure_history(AreaProfile.objects.filter(area=area).first())
    removed = AreaFacility.objects.filter(profile__area=area, removed_on__isnull=False)
    return render(
        request,
        "places/profile.html",
        {
            "area": area,
            "card": card_for(area),
            "history": history,
            "removed": removed,
            "can_edit": can_edit_profile(request.user, area),
        },
    )


# The forms of the edit page, by the name each posts as "form", and the action each calls.
EDITS: dict[str, tuple[type[Form], Callable[..., Any]]] = {
    "figure": (FigureForm, actions.record_figure),
    "facility": (FacilityForm, actions.add_facility),
    "describe": (DescribeForm, actions.describe_area),
}


def _submit(request: HttpRequest, area: Area, form: Form, action: Callable[..., Any]) -> int | None:
    """Run one form's action: None when done, else the status to show the form again with."""
    if not form.is_valid():
        return 400
    try:
        action(request.user, area, **form.cleaned_data)
    except ActionError as exc:
        exc.show_on(form)
        return exc.status
    return None


def _remove_facility(request: HttpRequest, area: Area) -> HttpResponse:
    facility = AreaFacility.objects.filter(
        profile__area=area, pk=_int(request.POST.get("facility"))
    ).first()
    if facility is None:
        raise Http404
    # Already removed (a double click): the page shows it gone either way.
    with suppress(ActionError):
        actions.remove_facility(request.user, facility)
    return redirect("places:edit_profile", code=area.code)


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request: HttpRequest, code: str) -> HttpResponse:
    area = get_area_for_profile_edit(request.user, code)
    profile = AreaProfile.objects.filter(area=area).first()
    forms: dict[str, Form] = {
        # Prefixed: the three forms share a page, and their fields' ids must not collide.
        "figure": FigureForm(prefix="figure"),
        "facility": FacilityForm(prefix="facility"),
        "describe": DescribeForm(
            prefix="describe",
            initial={"covers": profile.covers, "summary": profile.summary} if profile else None,
        ),
    }
    status = 200
    if request.method == "POST":
        which = request.POST.get("form", "")
        if which == "remove":
            return _remove_facility(request, area)
        if which not in EDITS:
            raise Http404
        form_class, action = EDITS[which]
        form = forms[which] = form_class(request.POST, prefix=which)
        refused = _submit(request, area, form, action)
        if refused is None:
            return redirect("places:edit_profile", code=area.code)
        status = refused
    facilities = (
        AreaFacility.objects.filter(profile=profile, removed_on__isnull=True) if profile else []
    )
    return render(
        request,
        "places/profile_edit.html",
        {
            "area": area,
            "card": card_for(area),
            "facilities": facilities,
            "events": events_for([profile]) if profile else [],
            **{f"{name}_form": form for name, form in forms.items()},
        },
        status=status,
    )


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0
