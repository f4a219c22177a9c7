from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from places.models import Area

router = Router(tags=["places"])


class AreaOut(Schema):
    code: str
    name: str
    kind: Area.Kind
    parent: str | None = Field(None, alias="parent.code")


@router.get("/areas", response=list[AreaOut], summary="List areas (public)")
@paginate
def list_areas(
    request: HttpRequest,
    kind: Area.Kind | None = None,
    parent: str | None = None,
    within: str | None = None,
) -> QuerySet[Area]:
    """Public: the area tree in order. `kind` filters by level, `parent` by the parent's code,
    `within` keeps the areas below the area with that code."""
    areas = Area.objects.select_related("parent").order_by("path")
    if kind:
        areas = areas.filter(kind=kind)
    if parent:
        areas = areas.filter(parent__code=parent)
    if within:
        root = Area.objects.filter(code=within).values_list("path", flat=True).first()
        areas = areas.filter(path__startswith=root).exclude(code=within) if root else areas.none()
    return areas
