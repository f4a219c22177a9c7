from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from typing_extensions import TypeAliasType

from places.models import Area, Building, Compound

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
