"""Finding places: where a concern lands, and subtree lookups."""

from places.models import Area, Building, Compound


def community_for(area: Area) -> Area | None:
    return area.ancestor_of_kind(Area.Kind.COMMUNITY)


def resolve_grid(
    community: Area, *, building: Building | None = None, compound: Compound | None = None
) -> Area | None:
    """The grid a report about this building or compound belongs to, if it is in `community`."""
    grid_id = None
    if building is not None:
        grid_id = building.effective_grid_id
    elif compound is not None:
        grid_id = compound.grid_id
    if grid_id is None:
        return None
    grid = Area.objects.filter(pk=grid_id, path__startswith=community.path).first()
    return grid


def areas_under(area: Area, kind: str | None = None):
    areas = area.subtree()
    return areas.filter(kind=kind) if kind else areas
