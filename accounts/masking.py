"""What of a resident's phone, name and address each role sees: one rule for the staff pages,
the API and the ledgers alike.

The people who call a resident back see everything: the grid worker of the concern's grid,
the staff and secretary of its community, and administrators. Building heads and volunteers
of the grid know the residents by name and door but do not get their numbers. Everyone else
who may look (street and district officers, CPPCC members, organisation representatives)
sees a masked phone, a masked name and the address no finer than the compound or building.

Decided from `accounts.permissions.scope_of` alone (no query beyond the cached scope), so a
ledger can ask once per row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from accounts.models import Role
from accounts.permissions import COMMUNITY_ROLES, scope_of
from places.models import Area


def mask_phone(phone: str) -> str:
    """138****5678: enough for a person to recognise a number, not enough to call it."""
    digits = (phone or "").strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 8:
        return f"{digits[:2]}{'*' * (len(digits) - 4)}{digits[-2:]}"
    return "*" * len(digits)


def mask_name(name: str) -> str:
    """张**: the family name only (and never how long the given name is)."""
    name = (name or "").strip()
    return f"{name[0]}**" if name else ""


# The building (楼栋) or courtyard an address names: "…3号楼", "…12栋", "…二幢", "…5号院".
_BUILDING = re.compile(r"^.*?(?:\d+|[一二三四五六七八九十百零〇]+)\s*(?:号楼|号院|栋|幢|座)")
_DIGIT = re.compile(r"[0-9０-９]")


def mask_address(address: str) -> str:
    """An address cut after its building (金城蓝湾二期3号楼**), or before its first number
    when it names no building (文化东街**): never the unit, floor, room or house number."""
    text = (address or "").strip()
    if not text:
        return ""
    match = _BUILDING.match(text)
    kept = match.group(0) if match else _DIGIT.split(text, maxsplit=1)[0]
    kept = kept.rstrip(" ,，、")
    return text if kept == text else f"{kept}**"


def place_address(address: str, place: str) -> str:
    """The building or compound the concern was filed under, then the address as typed
    (once: typed addresses often repeat the place)."""
    address, place = (address or "").strip(), (place or "").strip()
    if not place or address.startswith(place):
        return address
    return f"{place} {address}".strip()


@dataclass(frozen=True)
class Masking:
    """What a viewer sees of one resident's details."""

    full_phone: bool
    full_name: bool
    full_address: bool

    def phone(self, phone: str) -> str:
        return phone if self.full_phone else mask_phone(phone)

    def name(self, name: str) -> str:
        return name if self.full_name else mask_name(name)

    def address(self, address: str, place: str = "") -> str:
        """`place` is the building (or compound) the concern is filed under, as text."""
        if self.full_address:
            return place_address(address, place)
        return place.strip() or mask_address(address)


HANDLER = Masking(full_phone=True, full_name=True, full_address=True)
NEIGHBOUR = Masking(full_phone=False, full_name=True, full_address=True)
OBSERVER = Masking(full_phone=False, full_name=False, full_address=False)


def _parent_path(path: str) -> str:
    """/D/S/C/G/ → /D/S/C/"""
    return path[: path.rstrip("/").rfind("/") + 1]


def masking_for_paths(user: Any, community_path: str | None, grid_path: str | None) -> Masking:
    """The rule for a matter of the community (and grid) at these area paths."""
    scope = scope_of(user)
    if scope.is_admin:
        return HANDLER
    masking = OBSERVER
    for kind, path in scope.grants:
        if community_path and kind in COMMUNITY_ROLES and community_path.startswith(path):
            return HANDLER
        if grid_path and grid_path.startswith(path):
            if kind == Role.Kind.GRID_WORKER:
                return HANDLER
            if kind == Role.Kind.VOLUNTEER:
                masking = NEIGHBOUR
    return masking


def masking_for(user: Any, subject: Any) -> Masking:
    """The rule for `subject`: an Area (a community, a grid, or an area above them), or a
    matter with `community` and `grid` (an Issue: its handlers are those of its grid and
    community, and every concern of it is shown to them alike)."""
    if isinstance(subject, Area):
        if subject.kind == Area.Kind.GRID:
            return masking_for_paths(user, _parent_path(subject.path), subject.path)
        if subject.kind == Area.Kind.COMMUNITY:
            return masking_for_paths(user, subject.path, None)
        return masking_for_paths(user, None, None)
    community, grid = subject.community, subject.grid
    return masking_for_paths(
        user, community.path if community else None, grid.path if grid else None
    )


class Maskings:
    """masking_for_paths, remembered per (community, grid): for a ledger's many rows."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self._known: dict[tuple[str | None, str | None], Masking] = {}

    def __call__(self, community_path: str | None, grid_path: str | None) -> Masking:
        key = (community_path, grid_path)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = masking_for_paths(self.user, community_path, grid_path)
        return found
