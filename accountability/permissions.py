"""Who may see and change action items, built on accounts/permissions.py.

- Seeing: staff whose area covers the listing community, and the owner (the person in charge
  and every representative of the owner organisation). Anyone else gets 404.
- Reporting progress (and saying it is done): the owner only.
- Listing, verifying, closing and reopening: the listing community's own staff (社区干部 or
  党支部书记 of that community, or an administrator). Others who can see the item get 403.
- Rating (民事民评): residents only, with their tracking code; never a signed-in account.
- Progress photos are public, like the item: every action item is listed on its community's
  public board from the moment it is listed (挂牌 is a public commitment).
"""

from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from accountability.models import ActionItem, ActionItemQuerySet, ProgressPhoto
from accounts.permissions import (
    COMMUNITY_ROLES,
    area_filter,
    can_view_area,
    holds_role_over,
    require,
    scope_of,
    visible_or_404,
)
from core.errors import ActionError
from places.models import Area

VIEW = "view"
REPORT = "report"  # progress and "done": the owner
MANAGE = "manage"  # list, verify, close, reopen: the listing community
DONE = "done"  # the owner, or the listing community on the owner's behalf

MANAGING_ROLES: set[str] = {str(kind) for kind in COMMUNITY_ROLES}


def visible_items(user: Any) -> ActionItemQuerySet:
    scope = scope_of(user)
    if not scope.is_staff and not getattr(user, "is_authenticated", False):
        return ActionItem.objects.none()
    condition = area_filter(user, "community")
    if scope.organisation_ids:
        condition |= Q(owner_organisation_id__in=scope.organisation_ids)
    if getattr(user, "pk", None):
        condition |= Q(owner_id=user.pk)
    return ActionItem.objects.filter(condition)


def is_owner(user: Any, item: ActionItem) -> bool:
    scope = scope_of(user)
    if scope.is_admin:
        return True
    if item.owner_id is not None and item.owner_id == getattr(user, "pk", None):
        return True
    return item.owner_organisation_id in scope.organisation_ids


def can_publish_in(user: Any, community: Area) -> bool:
    return community.kind == Area.Kind.COMMUNITY and holds_role_over(
        user, community, MANAGING_ROLES
    )


def can_manage(user: Any, item: ActionItem) -> bool:
    return holds_role_over(user, item.community, MANAGING_ROLES)


def can(user: Any, item: ActionItem, action: str) -> bool:
    if action == VIEW:
        return visible_items(user).filter(pk=item.pk).exists()
    if action == REPORT:
        return is_owner(user, item)
    if action == MANAGE:
        return can_manage(user, item)
    if action == DONE:
        return is_owner(user, item) or can_manage(user, item)
    raise ValueError(action)


def check(user: Any, item: ActionItem, action: str) -> None:
    """404 where the user may not see the item, 403 where they may see but not do this."""
    require(
        visible_items(user).filter(pk=item.pk).exists(),
        lambda: action == VIEW or can(user, item, action),
    )


def get_item_for_user(user: Any, pk: int, action: str = VIEW) -> ActionItem:
    return visible_or_404(
        visible_items(user).select_related(
            "community", "owner_organisation", "owner", "resolution"
        ),
        pk,
        may=(lambda item: can(user, item, action)) if action != VIEW else None,
    )


def check_publish_in(user: Any, community: Area) -> None:
    require(can_view_area(user, community), lambda: can_publish_in(user, community))


def may_rate(user: Any) -> bool:
    """民事民评 is the residents' own: no signed-in account (staff, officer, partner
    representative, administrator) rates, whatever tracking code it holds."""
    return not getattr(user, "is_authenticated", False)


def check_may_rate(user: Any) -> None:
    if not may_rate(user):
        raise ActionError(
            _(
                "Signed-in staff cannot rate: ratings come from residents, with their own "
                "tracking code."
            ),
            code="staff_cannot_rate",
            status=403,
        )


def get_progress_photo(pk: int, name: str) -> ProgressPhoto:
    """A progress photo by id and stored file name (404 for a name that does not match):
    anyone may see it, as anyone may read the board its item is listed on."""
    photo = ProgressPhoto.objects.filter(pk=pk).first()
    if photo is None or photo.file_name != name:
        raise Http404
    return photo
