"""Area profile pages: the public profile with its history, and the staff edit page."""

from contextlib import suppress

from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ActionError
from places import actions
from places.forms import DescribeForm, FacilityForm, FigureForm
from places.models import AreaFacility, AreaProfile
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
            facility = AreaFacility.objects.filter(
                profile__area=area, pk=_int(request.POST.get("facility"))
            ).first()
            if facility is None:
                raise Http404
            # Already removed (a double click): the page shows it gone either way.
            with suppress(ActionError):
                actions.remove_facility(request.user, facility)
            return redirect("places:edit_profile", code=area.code)
        form_class = {"figure": FigureForm, "facility": FacilityForm, "describe": DescribeForm}.get(
            which
        )
        if form_class is None:
            raise Http404
        form = form_class(request.POST, prefix=which)
        forms[which] = form
        if form.is_valid():
            try:
                if which == "figure":
                    actions.record_figure(request.user, area, **form.cleaned_data)
                elif which == "facility":
                    actions.add_facility(request.user, area, **form.cleaned_data)
                else:
                    actions.describe_area(request.user, area, **form.cleaned_data)
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                return redirect("places:edit_profile", code=area.code)
        else:
            status = 400
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
