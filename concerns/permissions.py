"""Who may register, see and handle concerns and issues (built on accounts.permissions).

- Registering a concern for a resident (staff channels): anyone who may change the community.
- Seeing an issue: anyone whose scope covers its community (404 outside).
- Handling an issue depends on its level: in the grid, the grid worker of its grid and the
  community's staff; at the community, the community's staff; at the street or a department,
  the street officer and the community's staff who follow it. Read-only roles get 403.
- Residents' phones, names and addresses are shown as accounts/masking.py decides per role.
- Photos (a resident's, or a site visit's) are seen by staff who may see the issue, and by
  anyone once published; those who see personal data publish them and take them back.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.masking import masking_for
from accounts.models import Role
from accounts.permissions import (
    COMMUNITY_ROLES,
    GRID_ROLES,
    area_filter,
    can_change_area,
    can_view_area,
    holds_role_over,
    require,
    scope_of,
    visible_areas,
    visible_or_404,
)
from concerns.models import Concern, Issue, Photo
from places.models import Area, Compound


def registration_places(user: Any) -> list[tuple[Area, Area | None]]:
    """Where the user may register concerns for residents: (community, None) for the staff of
    a community, (community, grid) for a grid worker or volunteer in their own grid. Read-only
    roles and organisation representatives register nowhere."""
    scope = scope_of(user)
    if not scope.write_paths and not scope.is_admin:
        return []
    places: list[tuple[Area, Area | None]] = []
    communities = [
        c
        for c in visible_areas(user, Area.Kind.COMMUNITY).order_by("path")
        if can_change_area(user, c)
    ]
    places += [(c, None) for c in communities]
    covered = {c.pk for c in communities}
    grids = visible_areas(user, Area.Kind.GRID).select_related("parent").order_by("path")
    for grid in grids:
        community = grid.parent
        if community is None or community.pk in covered:
            continue
        if can_change_area(user, grid) and holds_role_over(user, grid, set(GRID_ROLES)):
            places.append((community, grid))
            covered.add(community.pk)
    return places


# Roles that take calls, letters and visits for residents (read-only roles and organisation
# representatives do not).
REGISTERING_ROLES = set(COMMUNITY_ROLES) | set(GRID_ROLES) | {Role.Kind.STREET_OFFICER}


def may_register(user: Any) -> bool:
    """Whether to offer the 来信来访登记 link at all (no query: read from the cached scope)."""
    scope = scope_of(user)
    return scope.is_admin or any(kind in REGISTERING_ROLES for kind, _path in scope.grants)


def registration_grid(user: Any, community: Area) -> Area | None:
    """For a grid worker who may not change the whole community: their grid in it."""
    for grid in Area.objects.filter(parent=community, kind=Area.Kind.GRID).order_by("path"):
        if can_change_area(user, grid):
            return grid
    return None


def check_can_register(user: Any, community: Area, grid: Area | None) -> None:
    """Staff register in their community, grid workers in their grid: 404 / 403 otherwise."""
    if can_change_area(user, community) or (grid is not None and can_change_area(user, grid)):
        return
    if can_view_area(user, community) or (grid is not None and can_view_area(user, grid)):
        raise PermissionDenied
    raise Http404


def _in_scope(user: Any, *, write: bool = False) -> Q:
    # Community staff see their community's issues; grid workers those of their grid.
    return area_filter(user, "community", write=write) | area_filter(user, "grid", write=write)


def visible_issues(user: Any) -> QuerySet[Issue]:
    return Issue.objects.filter(_in_scope(user))


def visible_concerns(user: Any) -> QuerySet[Concern]:
    return Concern.objects.filter(_in_scope(user))


def can_view_issue(user: Any, issue: Issue) -> bool:
    return can_view_area(user, issue.community) or (
        issue.grid is not None and can_view_area(user, issue.grid)
    )


def can_handle(user: Any, issue: Issue) -> bool:
    """Whether the user may act on the issue at its present level."""
    scope = scope_of(user)
    if scope.is_admin:
        return True
    community = issue.community
    grid = issue.grid
    if (
        issue.level == Issue.Level.GRID
        and grid is not None
        and can_change_area(user, grid)
        and holds_role_over(user, grid, {Role.Kind.GRID_WORKER})
    ):
        return True
    if not can_change_area(user, community):
        return False
    staff = holds_role_over(user, community, set(COMMUNITY_ROLES))
    if issue.level == Issue.Level.GRID:
        return staff
    if issue.level == Issue.Level.COMMUNITY:
        return staff
    return staff or holds_role_over(user, community, {Role.Kind.STREET_OFFICER})


def can_triage(user: Any, issue: Issue) -> bool:
    """Confirm, move, merge, split and retitle: the community's staff; the street above it only
    once the matter is escalated beyond the community (the street changes what reached it)."""
    if scope_of(user).is_admin:
        return True
    if not can_change_area(user, issue.community):
        return False
    roles: set[str] = set(COMMUNITY_ROLES)
    if issue.level in (Issue.Level.STREET, Issue.Level.DEPARTMENT):
        roles.add(Role.Kind.STREET_OFFICER)
    return holds_role_over(user, issue.community, roles)


def check(user: Any, issue: Issue, allowed: bool) -> None:
    """404 when the issue is outside the user's scope, 403 when they may only look."""
    require(can_view_issue(user, issue), allowed)


def get_issue_for_user(user: Any, pk: int, *, write: bool = False) -> Issue:
    return visible_or_404(
        visible_issues(user).select_related("community", "grid", "category", "escalated_to"),
        pk,
        may=(lambda issue: can_handle(user, issue)) if write else None,
    )


def get_concern_for_user(user: Any, pk: int) -> Concern:
    return visible_or_404(visible_concerns(user).select_related("issue", "community", "grid"), pk)


def can_publish_photo(user: Any, issue: Issue) -> bool:
    """Publishing a photo is deciding what residents' own pictures the public sees: for those
    who already see the residents' personal data."""
    return masking_for(user, issue).full_phone


def photo_issue(photo: Photo) -> Issue:
    """The issue a photo belongs to: its concern's (which follows the concern when it is
    moved or merged) or, for a site visit, the issue's own."""
    if photo.concern_id is not None:
        return photo.concern.issue
    return photo.issue  # type: ignore[return-value]


def get_photo_for_user(user: Any, pk: int, name: str) -> Photo:
    """A photo by id and stored file name: published ones for anyone, the others for staff
    whose scope covers the issue; 404 otherwise, and for a name that does not match."""
    photo = (
        Photo.objects.select_related(
            "concern__issue__community",
            "concern__issue__grid",
            "issue__community",
            "issue__grid",
        )
        .filter(pk=pk)
        .first()
    )
    if photo is None or photo.file_name != name:
        raise Http404
    if photo.published:
        return photo
    if not getattr(user, "is_authenticated", False) or not can_view_issue(user, photo_issue(photo)):
        raise Http404
    return photo


# ---- Contact cards (居民联系卡): any staff whose scope covers the community (or, for a grid
# worker, the compound's grid) may look at a card; its community's staff change what it
# shows and record prints; a grid worker keeps their own grid's line and prints its cards.


def get_card_community(user: Any, code: str) -> Area:
    """The community whose cards the user may see: 404 otherwise."""
    community = Area.objects.filter(code=code, kind=Area.Kind.COMMUNITY).first()
    if community is None:
        raise Http404
    if not can_view_area(user, community) and not card_compounds(user, community).exists():
        raise Http404
    return community


def card_compounds(user: Any, community: Area) -> QuerySet[Compound]:
    """The community's compounds whose cards the user may see."""
    compounds = Compound.objects.filter(grid__parent=community)
    if can_view_area(user, community):
        return compounds
    return compounds.filter(grid__in=visible_areas(user, Area.Kind.GRID))


def may_edit_card(user: Any, community: Area) -> bool:
    return holds_role_over(user, community, set(COMMUNITY_ROLES))


# Volunteers and building heads look; the grid's worker keeps its line and posts its cards.
CARD_GRID_ROLES: set[str] = {*COMMUNITY_ROLES, Role.Kind.GRID_WORKER}


def may_edit_grid_contact(user: Any, grid: Area) -> bool:
    return holds_role_over(user, grid, CARD_GRID_ROLES)


def may_print_card(user: Any, compound: Compound) -> bool:
    return holds_role_over(user, compound.grid, CARD_GRID_ROLES)
