"""State changes of area profiles: each checks permission, writes atomically and records a
timeline row on the profile. A figure is never overwritten: a new count adds a row."""

from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ActionError
from core.text import plain_text
from places.models import Area, AreaFacility, AreaFigure, AreaProfile
from places.permissions import can_edit_profile
from places.profiles import format_figure
from timeline.services import record

MAX_FIGURE = 100_000_000  # more people than any district has: a typo

Entry = TypeVar("Entry", AreaFigure, AreaFacility)


def _label(area: Area) -> str:
    return "街道" if area.kind == Area.Kind.STREET else "社区"


def _profile_for(actor: Any, area: Area) -> AreaProfile:
    if area.kind not in AreaProfile.KINDS:
        raise ActionError(_("Only communities and streets keep a profile."), field="area")
    if not can_edit_profile(actor, area):
        raise PermissionDenied
    profile, _created = AreaProfile.objects.select_for_update().get_or_create(area=area)
    profile.area = area  # already loaded: the timeline's label reads it without a query
    return profile


def _check_dated(as_of: date | None, source: str) -> tuple[date, str]:
    if as_of is None:
        raise ActionError(_("Give the date of the figure."), field="as_of")
    if as_of > timezone.localdate():
        raise ActionError(_("A figure cannot be dated in the future."), field="as_of")
    source = plain_text(source, "source", limit=100)
    if not source:
        raise ActionError(_("Say where the figure comes from."), field="source")
    return as_of, source


def _add_dated(
    actor: Any, area: Area, model: type[Entry], as_of: date | None, source: str, **fields: Any
) -> Entry:
    """A dated entry of the area's profile (a figure or a facility), with where it comes from;
    the profile is locked until the caller's transaction ends."""
    day, source = _check_dated(as_of, source)
    profile = _profile_for(actor, area)
    return model.objects.create(profile=profile, as_of=day, source=source[:100], **fields)


def _changed(
    profile: AreaProfile, verb: str, actor: Any, note: str, data: dict | None = None
) -> None:
    """The profile was changed: its date moves and the change goes on its (staff) timeline."""
    profile.updated_at = timezone.now()
    profile.save(update_fields=["updated_at"])
    record(
        profile,
        verb,
        actor=actor,
        actor_label=_label(profile.area),
        note=note,
        public=False,
        data=data,
    )


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
        raise ActionError(_("Choose a figure from the list."), field="kind")
    if qualifier not in AreaFigure.Qualifier.values:
        raise ActionError(_("Choose a precision from the list."), field="qualifier")
    if value is None or value < 0 or value > MAX_FIGURE:
        raise ActionError(_("Give a whole number of at least 0."), field="value")
    with transaction.atomic():
        figure = _add_dated(
            actor, area, AreaFigure, as_of, source, kind=kind, value=value, qualifier=qualifier,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        _changed(
            figure.profile,
            "profile.figure_recorded",
            actor,
            f"{figure.get_kind_display()}：{format_figure(kind, value, qualifier)}"
            f"（{figure.as_of:%Y-%m-%d}，{figure.source}）",
            data={"kind": kind, "value": value, "as_of": figure.as_of.isoformat()},
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
        raise ActionError(_("Choose a kind of facility from the list."), field="kind")
    name = plain_text(name, "name", limit=100)
    note = plain_text(note, "note", limit=200)
    if not name:
        raise ActionError(_("Give the facility's name."), field="name")
    with transaction.atomic():
        facility = _add_dated(
            actor, area, AreaFacility, as_of, source, kind=kind, name=name, note=note
        )
        _changed(
            facility.profile,
            "profile.facility_added",
            actor,
            f"{facility.get_kind_display()}：{facility.name}",
            data={"facility": facility.pk},
        )
    return facility


def remove_facility(actor: Any, facility: AreaFacility, *, on: date | None = None) -> AreaFacility:
    """A facility that closed: it leaves the card and stays in the history."""
    area = facility.profile.area
    with transaction.atomic():
        profile = _profile_for(actor, area)
        facility = AreaFacility.objects.select_for_update().get(pk=facility.pk)
        if facility.removed_on is not None:
            raise ActionError(_("This facility was already removed."), code="conflict", status=409)
        facility.removed_on = on or timezone.localdate()
        facility.save(update_fields=["removed_on"])
        _changed(
            profile,
            "profile.facility_removed",
            actor,
            f"{facility.get_kind_display()}：{facility.name}",
            data={"facility": facility.pk},
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
        profile.updated_at = timezone.now()
        profile.save(update_fields=["covers", "summary", "updated_at"])
        record(
            profile,
            "profile.described",
            actor=actor,
            actor_label=_label(area),
            note=profile.covers,
            public=False,
        )
    return profile
