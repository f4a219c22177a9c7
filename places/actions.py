"""State changes of area profiles: each checks permission, writes atomically and records a
timeline row on the profile. A figure is never overwritten: a new count adds a row."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core.errors import ActionError
from core.text import plain_text
from places.models import Area, AreaFacility, AreaFigure, AreaProfile
from places.permissions import can_edit_profile
from places.profiles import format_figure
from places.verbs import (
    PROFILE_DESCRIBED,
    PROFILE_FACILITY_ADDED,
    PROFILE_FACILITY_REMOVED,
    PROFILE_FIGURE_RECORDED,
)
from timeline.actors import COMMUNITY, STREET
from timeline.services import record

MAX_FIGURE = 100_000_000  # more people than any district has: a typo


def _label(area: Area) -> Promise:
    return STREET if area.kind == Area.Kind.STREET else COMMUNITY


def _profile_for(actor: Any, area: Area) -> AreaProfile:
    if area.kind not in AreaProfile.KINDS:
        raise ActionError(
            _("Only communities and streets keep a profile."),
            code="area_keeps_no_profile",
            field="area",
        )
    if not can_edit_profile(actor, area):
        raise PermissionDenied
    profile, _created = AreaProfile.objects.select_for_update().get_or_create(area=area)
    profile.area = area  # its label is recorded with each step, without loading it again
    return profile


def _check_dated(as_of: date | None, source: str) -> tuple[date, str]:
    if as_of is None:
        raise ActionError(
            _("Give the date of the figure."), code="figure_date_required", field="as_of"
        )
    if as_of > timezone.localdate():
        raise ActionError(
            _("A figure cannot be dated in the future."),
            code="figure_date_in_future",
            field="as_of",
        )
    source = plain_text(source, "source", limit=100)
    if not source:
        raise ActionError(
            _("Say where the figure comes from."), code="figure_source_required", field="source"
        )
    return as_of, source


def _changed(
    profile: AreaProfile,
    verb: str,
    actor: Any,
    *,
    note: str,
    fields: Sequence[str] = (),
    **data: Any,
) -> None:
    """Save the profile as changed now (with the `fields` set on it) and record the step, for
    staff (the public page shows the figures and facilities with their dates instead)."""
    profile.updated_at = timezone.now()
    profile.save(update_fields=[*fields, "updated_at"])
    record(
        profile,
        verb,
        actor=actor,
        actor_label=_label(profile.area),
        note=note,
        public=False,
        data=data,
    )


def _named(facility: AreaFacility) -> str:
    return f"{facility.get_kind_display()}：{facility.name}"


def record_figure(
    actor: Any,
    area: Area,
    *,
    kind: str,
    value: int,
    as_of: date | None,
    source: str,
    qualifier: str = AreaFigure.Qualifier.EXACT,
) -> AreaFigure:
    """Add a figure (a new count, or a correction) to the area's profile."""
    if kind not in AreaFigure.Kind.values:
        raise ActionError(
            _("Choose a figure from the list."), code="unknown_figure_kind", field="kind"
        )
    if qualifier not in AreaFigure.Qualifier.values:
        raise ActionError(
            _("Choose a precision from the list."),
            code="unknown_figure_qualifier",
            field="qualifier",
        )
    if value is None or value < 0 or value > MAX_FIGURE:
        raise ActionError(
            _("Give a whole number of at least 0."), code="invalid_figure_value", field="value"
        )
    day, source = _check_dated(as_of, source)
    with transaction.atomic():
        profile = _profile_for(actor, area)
        figure = AreaFigure.objects.create(
            profile=profile,
            kind=kind,
            value=value,
            qualifier=qualifier,
            as_of=day,
            source=source[:100],
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        _changed(
            profile,
            PROFILE_FIGURE_RECORDED,
            actor,
            note=f"{figure.get_kind_display()}：{format_figure(kind, value, qualifier)}"
            f"（{day:%Y-%m-%d}，{figure.source}）",
            kind=kind,
            value=value,
            as_of=day.isoformat(),
        )
    return figure


def add_facility(
    actor: Any,
    area: Area,
    *,
    kind: str,
    name: str,
    as_of: date | None,
    source: str,
    note: str = "",
) -> AreaFacility:
    if kind not in AreaFacility.Kind.values:
        raise ActionError(
            _("Choose a kind of facility from the list."),
            code="unknown_facility_kind",
            field="kind",
        )
    name = plain_text(name, "name", limit=100)
    note = plain_text(note, "note", limit=200)
    if not name:
        raise ActionError(
            _("Give the facility's name."), code="facility_name_required", field="name"
        )
    day, source = _check_dated(as_of, source)
    with transaction.atomic():
        profile = _profile_for(actor, area)
        facility = AreaFacility.objects.create(
            profile=profile,
            kind=kind,
            name=name,
            note=note,
            as_of=day,
            source=source[:100],
        )
        _changed(
            profile, PROFILE_FACILITY_ADDED, actor, note=_named(facility), facility=facility.pk
        )
    return facility


def remove_facility(actor: Any, facility: AreaFacility, *, on: date | None = None) -> AreaFacility:
    """A facility that closed: it leaves the card and stays in the history."""
    area = facility.profile.area
    with transaction.atomic():
        profile = _profile_for(actor, area)
        facility = AreaFacility.objects.select_for_update().get(pk=facility.pk)
        if facility.removed_on is not None:
            raise ActionError(
                _("This facility was already removed."), code="facility_already_removed", status=409
            )
        facility.removed_on = on or timezone.localdate()
        facility.save(update_fields=["removed_on"])
        _changed(
            profile, PROFILE_FACILITY_REMOVED, actor, note=_named(facility), facility=facility.pk
        )
    return facility


def describe_area(actor: Any, area: Area, *, covers: str, summary: str) -> AreaProfile:
    """The name residents use for the area and a short description."""
    covers = plain_text(covers, "covers", limit=100)
    summary = plain_text(summary, "summary", limit=2000)
    with transaction.atomic():
        profile = _profile_for(actor, area)
        profile.covers = covers
        profile.summary = summary
        _changed(profile, PROFILE_DESCRIBED, actor, note=covers, fields=["covers", "summary"])
    return profile
