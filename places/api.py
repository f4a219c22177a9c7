from datetime import date

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from typing_extensions import TypeAliasType

from accounts.api_auth import staff_auth
from places import actions
from places.models import Area, AreaFacility, AreaFigure, Building, Compound
from places.permissions import get_area_for_profile, get_area_for_profile_edit
from places.profiles import Figure, card_for, figure_history
from timeline.public import mask_public_text

router = Router(tags=["places"])

# The OpenAPI document names an enum after its class, and several models have a Kind or a
# Status: a named alias gives each its own component (tested in yishi/tests/test_openapi.py).
AreaKind = TypeAliasType("AreaKind", Area.Kind)

# Matches no path: an unknown area code filters everything out.
NO_AREA = "//"


def subtree_path(code: str) -> str:
    """The path prefix of the area with `code` and everything under it."""
    return Area.objects.filter(code=code).values_list("path", flat=True).first() or NO_AREA


class AreaOut(Schema):
    code: str
    name: str
    kind: AreaKind
    parent: str | None = Field(None, alias="parent.code")


@router.get("/areas", response=list[AreaOut], summary="List areas (public)")
@paginate
def list_areas(
    request: HttpRequest,
    kind: AreaKind | None = None,
    parent: str | None = None,
    area: str | None = None,
) -> QuerySet[Area]:
    """Public: the area tree in order. `kind` filters by level, `parent` by the parent's code,
    `area` keeps the area with that code and everything under it."""
    areas = Area.objects.select_related("parent").order_by("path")
    if kind:
        areas = areas.filter(kind=kind)
    if parent:
        areas = areas.filter(parent__code=parent)
    if area:
        areas = areas.filter(path__startswith=subtree_path(area))
    return areas


class CompoundOut(Schema):
    id: int
    name: str
    address: str
    grid: str = Field(..., alias="grid.code")
    community: str = Field(..., description="code of the community the compound is in")

    @staticmethod
    def resolve_community(obj: Compound) -> str:
        # The grid's path is /…/<community>/<grid>/: its second-last code is the community.
        return obj.grid.path.strip("/").split("/")[-2]


class BuildingOut(Schema):
    id: int
    name: str
    compound: int = Field(..., alias="compound_id")
    grid: str = Field(..., description="code of the grid the building is in")

    @staticmethod
    def resolve_grid(obj: Building) -> str:
        return (obj.grid or obj.compound.grid).code


@router.get("/compounds", response=list[CompoundOut], summary="List compounds (public)")
@paginate
def list_compounds(
    request: HttpRequest, area: str | None = None, q: str | None = None
) -> QuerySet[Compound]:
    """Public: residential compounds (小区). `area` keeps those in the area
    with that code (a community or grid); `q` matches part of the name."""
    compounds = Compound.objects.select_related("grid").order_by("grid__path", "name")
    if area:
        compounds = compounds.filter(grid__path__startswith=subtree_path(area))
    if q:
        compounds = compounds.filter(name__icontains=q)
    return compounds


@router.get("/buildings", response=list[BuildingOut], summary="List buildings (public)")
@paginate
def list_buildings(
    request: HttpRequest, compound: int | None = None, area: str | None = None
) -> QuerySet[Building]:
    """Public: buildings (楼栋), for the `building` field of a concern. `compound` keeps one
    compound's buildings, `area` those in the area with that code."""
    buildings = Building.objects.select_related("grid", "compound__grid")
    if compound is not None:
        buildings = buildings.filter(compound_id=compound)
    if area:
        buildings = buildings.filter(compound__grid__path__startswith=subtree_path(area))
    return buildings


# ---- Area profiles (区域概况) --------------------------------------------------------------

FigureKind = TypeAliasType("FigureKind", AreaFigure.Kind)
FigureQualifier = TypeAliasType("FigureQualifier", AreaFigure.Qualifier)
FacilityKind = TypeAliasType("FacilityKind", AreaFacility.Kind)


class FigureOut(Schema):
    kind: FigureKind
    label: str
    value: int
    qualifier: FigureQualifier
    display: str = Field(..., description="as people write it, e.g. 近2万人")
    as_of: date | None = Field(None, description="null for a count of Yishi's own register")
    source: str
    counted: bool = Field(..., description="counted from the compounds and buildings in Yishi")


class FacilityOut(Schema):
    id: int
    kind: FacilityKind
    name: str
    note: str
    as_of: date
    source: str


class ProfileOut(Schema):
    area: str = Field(..., description="the area's code")
    name: str
    covers: str = Field("", description="the name residents use for the area")
    summary: str = ""
    figures: list[FigureOut]
    facilities: list[FacilityOut]
    history: list[FigureOut] = Field(
        default_factory=list, description="every figure recorded, newest first within a kind"
    )


def _profile_out(area: Area) -> dict:
    card = card_for(area)
    profile = card.profile if card else None
    history = figure_history(profile)
    labels = dict(AreaFigure.Kind.choices)
    # Staff type these in: public text, masked by the one rule (a phone in a source…).
    mask = mask_public_text
    return {
        "area": area.code,
        "name": area.name,
        "covers": mask(profile.covers) if profile else "",
        "summary": mask(profile.summary) if profile else "",
        "figures": [{**f.as_dict(), "source": mask(f.source)} for f in card.figures]
        if card
        else [],
        "facilities": [
            {
                "id": x.pk,
                "kind": x.kind,
                "name": mask(x.name),
                "note": mask(x.note),
                "as_of": x.as_of,
                "source": mask(x.source),
            }
            for x in (card.facilities if card else [])
        ],
        "history": [
            Figure(
                f.kind, str(labels[f.kind]), f.value, f.qualifier, f.as_of, mask(f.source)
            ).as_dict()
            for f in history
        ],
    }


@router.get("/areas/{code}/profile", response=ProfileOut, summary="An area's profile (public)")
def get_profile(request: HttpRequest, code: str) -> dict:
    """Public: a community's or street's figures (population, households, companies…) with
    the date and source of each, its facilities, and every figure recorded before. 404 for
    other levels and unknown codes."""
    return _profile_out(get_area_for_profile(code))


class FigureIn(Schema):
    kind: FigureKind
    value: int = Field(..., ge=0, le=100_000_000)
    qualifier: FigureQualifier = AreaFigure.Qualifier.EXACT
    as_of: date
    source: str = Field(..., min_length=1, max_length=100)


class FacilityIn(Schema):
    kind: FacilityKind
    name: str = Field(..., min_length=1, max_length=100)
    note: str = Field("", max_length=200)
    as_of: date
    source: str = Field(..., min_length=1, max_length=100)


@router.post(
    "/areas/{code}/profile/figures",
    response={201: ProfileOut},
    auth=staff_auth,
    summary="Record a figure of an area's profile",
)
def post_figure(request: HttpRequest, code: str, payload: FigureIn) -> Status:
    """Community staff for their community, street officers for their street. A figure adds
    to the history; the profile shows the latest of each kind."""
    area = get_area_for_profile_edit(request.user, code)
    actions.record_figure(request.user, area, **payload.dict())
    return Status(201, _profile_out(area))


@router.post(
    "/areas/{code}/profile/facilities",
    response={201: ProfileOut},
    auth=staff_auth,
    summary="Add a facility to an area's profile",
)
def post_facility(request: HttpRequest, code: str, payload: FacilityIn) -> Status:
    area = get_area_for_profile_edit(request.user, code)
    actions.add_facility(request.user, area, **payload.dict())
    return Status(201, _profile_out(area))


@router.post(
    "/areas/{code}/profile/facilities/{facility_id}/remove",
    response=ProfileOut,
    auth=staff_auth,
    summary="Mark a facility as no longer there",
)
def remove_facility(request: HttpRequest, code: str, facility_id: int) -> dict:
    area = get_area_for_profile_edit(request.user, code)
    facility = AreaFacility.objects.filter(profile__area=area, pk=facility_id).first()
    if facility is None:
        raise Http404
    actions.remove_facility(request.user, facility)
    return _profile_out(area)
