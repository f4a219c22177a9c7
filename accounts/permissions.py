"""Who may see and change what: the one place that reads roles and scopes.

A role is held in an area (its whole subtree is in scope) or for an organisation. Some roles
oversee without changing anything (district officers, CPPCC members): they get 403 where
they can see but not act. Everything outside a user's scope is 404, so its existence is not
revealed. Each app builds its own rules (`concerns/permissions.py`…) on these helpers.

Representing an organisation is a role of its own, and gives only that organisation's
rights, granted by the app concerned: a CPPCC member who also represents their CPPCC
committee (政协) sets its thematic topics and runs the meetings it convenes
(`consultations/permissions.py`), and nothing else changes for them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from accounts.models import Role
from places.models import Area

M = TypeVar("M", bound=Model)
T = TypeVar("T")

# The level of area each role is held in.
ROLE_AREA_KIND: dict[str, set[str]] = {
    Role.Kind.GRID_WORKER: {Area.Kind.GRID},
    Role.Kind.VOLUNTEER: {Area.Kind.GRID},
    Role.Kind.COMMUNITY_STAFF: {Area.Kind.COMMUNITY},
    Role.Kind.SECRETARY: {Area.Kind.COMMUNITY},
    Role.Kind.STREET_OFFICER: {Area.Kind.STREET},
    Role.Kind.DISTRICT_OFFICER: {Area.Kind.DISTRICT, Area.Kind.CITY},
    Role.Kind.CPPCC_MEMBER: {Area.Kind.DISTRICT, Area.Kind.CITY},
    Role.Kind.CPPCC_OFFICE: {Area.Kind.DISTRICT, Area.Kind.CITY},
}
# Roles that oversee their area but change nothing in it (by these roles alone). The CPPCC
# office changes only the members' public-opinion reports (opinions/permissions.py).
READ_ONLY_ROLES = {Role.Kind.DISTRICT_OFFICER, Role.Kind.CPPCC_MEMBER, Role.Kind.CPPCC_OFFICE}
# Roles of the community's own staff (may triage, convene, publish and close).
COMMUNITY_ROLES = {Role.Kind.COMMUNITY_STAFF, Role.Kind.SECRETARY}
GRID_ROLES = {Role.Kind.GRID_WORKER, Role.Kind.VOLUNTEER}


@dataclass(frozen=True)
class Scope:
    is_admin: bool
    roles: frozenset[str]
    read_paths: tuple[str, ...]
    write_paths: tuple[str, ...]
    # (role kind, area path) for finer rules such as "community staff of this community".
    grants: tuple[tuple[str, str], ...]
    organisation_ids: frozenset[int]

    @property
    def is_staff(self) -> bool:
        return self.is_admin or bool(self.roles)


EMPTY_SCOPE = Scope(False, frozenset(), (), (), (), frozenset())


def scope_of(user: Any) -> Scope:
    """The user's scope, read once per request (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_yishi_scope", None)
    if cached is not None:
        return cached
    roles = list(Role.objects.filter(user=user).select_related("area"))
    is_admin = user.is_superuser or any(r.kind == Role.Kind.ADMIN for r in roles)
    read = sorted({r.area.path for r in roles if r.area is not None})
    write = sorted(
        {r.area.path for r in roles if r.area is not None and r.kind not in READ_ONLY_ROLES}
    )
    scope = Scope(
        is_admin=is_admin,
        roles=frozenset(r.kind for r in roles),
        read_paths=tuple(_outermost(read)),
        write_paths=tuple(_outermost(write)),
        grants=tuple((r.kind, r.area.path) for r in roles if r.area is not None),
        organisation_ids=frozenset(r.organisation_id for r in roles if r.organisation_id),
    )
    user._yishi_scope = scope
    return scope


def _outermost(paths: list[str]) -> list[str]:
    """Drop paths already covered by an ancestor's path (sorted input)."""
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def area_filter(user: Any, field: str = "area", *, write: bool = False) -> Q:
    """A Q limiting rows whose `field` (a foreign key to Area) lies in the user's scope."""
    scope = scope_of(user)
    if scope.is_admin:
        return Q()
    paths = scope.write_paths if write else scope.read_paths
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__path__startswith": path})
    return condition


def _path_in(path: str, paths: tuple[str, ...]) -> bool:
    return any(path.startswith(p) for p in paths)


def can_view_area(user: Any, area: Area) -> bool:
    scope = scope_of(user)
    return scope.is_admin or _path_in(area.path, scope.read_paths)


def can_change_area(user: Any, area: Area) -> bool:
    scope = scope_of(user)
    return scope.is_admin or _path_in(area.path, scope.write_paths)


def holds_role_over(user: Any, area: Area, kinds: set[str]) -> bool:
    """Whether the user holds one of `kinds` in `area` or in an area above it."""
    scope = scope_of(user)
    if scope.is_admin:
        return True
    return any(kind in kinds and area.path.startswith(path) for kind, path in scope.grants)


def visible_areas(user: Any, kind: str | None = None) -> QuerySet[Area]:
    """The areas in the user's scope (their subtrees), optionally of one level."""
    scope = scope_of(user)
    areas = Area.objects.all()
    if not scope.is_admin:
        condition = Q(pk__in=[])
        for path in scope.read_paths:
            condition |= Q(path__startswith=path)
        areas = areas.filter(condition)
    return areas.filter(kind=kind) if kind else areas


def require(seen: bool, allowed: bool | Callable[[], bool] = True) -> None:
    """The order of refusals everywhere: 404 where the user may not see the thing, so its
    existence is not revealed; then 403 where they may see it but not do this. `allowed`
    may be a callable, asked only once the thing is seen."""
    if not seen:
        raise Http404
    if not (allowed() if callable(allowed) else allowed):
        raise PermissionDenied


def found(obj: T | None, may: Callable[[T], bool] | None = None) -> T:
    """`obj` where it was found among what the user may see and `may` (if given) lets them
    act on it: `require`'s 404 or 403 otherwise."""
    require(obj is not None, lambda: may is None or may(cast(T, obj)))
    return cast(T, obj)


def get_area_for_user(user: Any, code: str, *, write: bool = False) -> Area:
    """An area by code: 404 outside the user's scope, 403 where they may only look."""
    area = Area.objects.filter(code=code).first()
    seen = area if area is not None and can_view_area(user, area) else None
    return found(seen, lambda it: not write or can_change_area(user, it))


def visible_or_404(visible: QuerySet[M], pk: Any, *, may: Callable[[M], bool] | None = None) -> M:
    """Object `pk` among those a user may see (`visible`, already scoped to them): 404 where it
    is not there, so its existence is not revealed; 403 where `may` says they may only look."""
    return found(visible.filter(pk=pk).first(), may)


def get_object_for_user(
    queryset: QuerySet, user: Any, *, area_field: str, write: bool = False, **lookup: Any
) -> Model:
    """Fetch-and-authorise: 404 where the user may not see the object, 403 where they may
    see it but not change it. `area_field` names the object's Area (e.g. "community")."""
    obj = queryset.filter(area_filter(user, area_field), **lookup).first()
    if obj is None:
        raise Http404
    if write:
        area = obj
        for part in area_field.split("__"):
            area = getattr(area, part)
        if not can_change_area(user, area):
            raise PermissionDenied
    return obj
