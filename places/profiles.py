"""Reading area profiles: the card a page shows, figures as people write them, and the
resident population the dashboards divide by."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from places.models import Area, AreaFacility, AreaFigure, AreaProfile, Building, Compound

Q_ = AreaFigure.Qualifier


def _units() -> dict[str, str]:
    return {
        AreaFigure.Kind.REGISTERED_POPULATION: _("%(n)s people"),
        AreaFigure.Kind.RESIDENT_POPULATION: _("%(n)s people"),
        AreaFigure.Kind.HOUSEHOLDS: _("%(n)s households"),
        AreaFigure.Kind.COMPOUNDS: _("%(n)s compounds"),
        AreaFigure.Kind.BUILDINGS: _("%(n)s buildings"),
        AreaFigure.Kind.OFFICE_BUILDINGS: _("%(n)s office buildings"),
        AreaFigure.Kind.COMPANIES: _("%(n)s companies"),
        AreaFigure.Kind.SHOPS: _("%(n)s shops"),
    }


def _number(value: int) -> str:
    """20000 as "2万" in Chinese (as the newspaper writes it), "20,000" in English."""
    if (translation.get_language() or "").startswith("zh"):
        if value >= 10000 and value % 1000 == 0:
            return f"{value / 10000:g}万"
        return str(value)
    return f"{value:,}"


def format_figure(kind: str, value: int, qualifier: str = Q_.EXACT) -> str:
    """ "近2万人", "2738余家": the figure as the source wrote it, with its precision and unit."""
    n = _number(value)
    if qualifier == Q_.NEARLY:
        n = _("nearly %(n)s") % {"n": n}
    elif qualifier == Q_.ABOUT:
        n = _("about %(n)s") % {"n": n}
    elif qualifier == Q_.OVER:
        n = _("more than %(n)s") % {"n": n}
    return _units().get(kind, "%(n)s") % {"n": n}


@dataclass
class Figure:
    kind: str
    label: str
    value: int
    qualifier: str
    as_of: date | None
    source: str
    counted: bool = False  # counted from Yishi's own data rather than entered

    @property
    def display(self) -> str:
        return format_figure(self.kind, self.value, self.qualifier)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "value": self.value,
            "qualifier": self.qualifier,
            "display": self.display,
            "as_of": self.as_of,
            "source": self.source,
            "counted": self.counted,
        }


@dataclass
class Card:
    area: Area
    profile: AreaProfile | None
    figures: list[Figure] = field(default_factory=list)
    facilities: list[AreaFacility] = field(default_factory=list)

    @property
    def title(self) -> str:
        covers = self.profile.covers if self.profile else ""
        return f"{self.area.name}（{covers}）" if covers else self.area.name

    @property
    def empty(self) -> bool:
        return not (self.figures or self.facilities or (self.profile and self.profile.summary))


def latest_figures(profile: AreaProfile) -> list[AreaFigure]:
    """The latest figure of each kind, in the order of AreaFigure.Kind: one query."""
    latest: dict[str, AreaFigure] = {}
    for figure in profile.figures.all():  # ordered newest first within each kind
        latest.setdefault(figure.kind, figure)
    return [latest[kind] for kind in AreaFigure.Kind.values if kind in latest]


def figure_history(profile: AreaProfile | None) -> list[AreaFigure]:
    """Every figure recorded, kind by kind in AreaFigure.Kind's order, newest first."""
    if profile is None:
        return []
    order = {kind: i for i, kind in enumerate(AreaFigure.Kind.values)}
    return sorted(profile.figures.all(), key=lambda f: order.get(f.kind, len(order)))


def counted_figures(area: Area) -> dict[str, int]:
    """Compounds and buildings registered in Yishi under the area: two counts."""
    compounds = Compound.objects.filter(grid__path__startswith=area.path).count()
    if not compounds:
        return {}
    buildings = Building.objects.filter(compound__grid__path__startswith=area.path).count()
    return {AreaFigure.Kind.COMPOUNDS: compounds, AreaFigure.Kind.BUILDINGS: buildings}


def card_for(area: Area | None) -> Card | None:
    """The profile card of a community or street (a grid shows its community's), or None
    where there is nothing to show."""
    if area is None:
        return None
    if area.kind == Area.Kind.GRID:
        area = area.ancestor_of_kind(Area.Kind.COMMUNITY)
        if area is None:
            return None
    if area.kind not in AreaProfile.KINDS:
        return None
    profile = AreaProfile.objects.filter(area=area).first()
    card = Card(area=area, profile=profile)
    labels = dict(AreaFigure.Kind.choices)
    if profile is not None:
        card.figures = [
            Figure(f.kind, str(labels[f.kind]), f.value, f.qualifier, f.as_of, f.source)
            for f in latest_figures(profile)
        ]
        card.facilities = list(profile.facilities.filter(removed_on__isnull=True))
    entered = {f.kind for f in card.figures}
    counted = {k: n for k, n in counted_figures(area).items() if k not in entered}
    if counted:
        card.figures += [
            Figure(kind, str(labels[kind]), n, Q_.EXACT, None, _("Yishi's register"), True)
            for kind, n in counted.items()
        ]
        order = {kind: i for i, kind in enumerate(AreaFigure.Kind.values)}
        card.figures.sort(key=lambda f: order[f.kind])
    if card.empty:
        return None
    return card


# ---- The population the dashboards divide by ---------------------------------------------


@dataclass(frozen=True)
class Population:
    value: int
    as_of: date


def resident_populations(root: Area) -> dict[int, Population]:
    """The resident population (常住人口) of `root` and every street and community under
    it, by area id, in two queries. An area's own latest figure counts; an area without one
    adds up its children's when every child has one (so a part never passes for the whole,
    and the date is the oldest count in the sum). Areas with neither are left out."""
    areas = list(
        Area.objects.filter(path__startswith=root.path)
        .exclude(kind=Area.Kind.GRID)
        .values_list("pk", "parent_id")
        .order_by("-depth")
    )
    own: dict[int, Population] = {}
    rows = (
        AreaFigure.objects.filter(
            Q(profile__area__path__startswith=root.path), kind=AreaFigure.Kind.RESIDENT_POPULATION
        )
        .order_by("profile__area_id", "-as_of", "-recorded_at", "-id")
        .values_list("profile__area_id", "value", "as_of")
    )
    for area_id, value, as_of in rows:
        own.setdefault(area_id, Population(value, as_of))
    children: dict[int, list[int]] = {}
    for pk, parent_id in areas:
        if parent_id is not None:
            children.setdefault(parent_id, []).append(pk)
    result: dict[int, Population] = {}
    for pk, _parent in areas:  # deepest first: children are resolved before their parent
        if pk in own:
            result[pk] = own[pk]
            continue
        below = children.get(pk, [])
        if below and all(child in result for child in below):
            parts = [result[child] for child in below]
            result[pk] = Population(sum(p.value for p in parts), min(p.as_of for p in parts))
    return result


def per_thousand(count: int, population: Population | None) -> float | None:
    """Concerns per 1,000 residents, one decimal; None where the population is not known."""
    if population is None or population.value <= 0:
        return None
    return round(count * 1000 / population.value, 1)
