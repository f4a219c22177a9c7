"""Contact cards (居民联系卡): "将社区公共电话、公众号、社区网格手机号公布在各个小区内".

One A4 notice per compound, hung at its entrance: the community's public phone, office hours
and 公众号, each grid covering the compound with its worker and grid phone, and a QR code
opening the resident form with the community and compound already chosen. A card is drawn
from the data at every request (never a stored file), so it is as current as the data; each
print is a timeline event of its compound, which the staff page reads back.

The state changes of this part live here, in the house way of actions.py: a permission check,
one transaction, a timeline row (internal: nobody is told of it).
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import segno
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concerns.permissions import may_edit_card, may_edit_grid_contact, may_print_card
from concerns.verbs import AREA_CONTACTS_CHANGED as CONTACTS_CHANGED
from concerns.verbs import COMPOUND_CARD_PRINTED as PRINTED
from core import phones
from core.errors import ActionError
from core.text import plain_text
from core.uploads import clean_image
from places.models import Area, Compound
from timeline.models import Event
from timeline.services import record, record_many

# Landlines with their area code (0951-5012345), mobiles, 12345-style service numbers.
# A 公众号's QR code holds an address on WeChat's own site; nothing else is printed.
WECHAT_HOSTS = {"weixin.qq.com", "mp.weixin.qq.com", "open.weixin.qq.com"}


# ---- What a card shows


@dataclass
class Card:
    compound: Compound
    community: Area
    grids: list[Area]
    form_url: str
    form_qr: str  # data: URI of an SVG
    wechat_qr: str  # the uploaded picture's address, or a data: URI drawn from the link


def qr_data_uri(text: str) -> str:
    """A QR code as an SVG data URI (the CSP allows data: images; no file is written)."""
    return segno.make(text, error="m", micro=False).svg_data_uri(scale=4, border=2)


def site_url(request: HttpRequest) -> str:
    """The address residents open: YISHI_SITE_URL, else the host this request came to."""
    base = (settings.SITE_URL or "").rstrip("/")
    return base or request.build_absolute_uri("/").rstrip("/")


def form_url(request: HttpRequest, community: Area, compound: Compound) -> str:
    query = urlencode({"community": community.code, "compound": compound.pk})
    return f"{site_url(request)}{reverse('concerns:submit')}?{query}"


def covering_grids(compound: Compound) -> list[Area]:
    """The compound's grid, then the grids of its buildings that lie in another one."""
    grids = [compound.grid]
    for building in compound.buildings.all():
        if building.grid is not None and building.grid not in grids:
            grids.append(building.grid)
    return grids


def cards_for(request: HttpRequest, community: Area, compounds: QuerySet[Compound]) -> list[Card]:
    compounds = compounds.select_related("grid").prefetch_related("buildings__grid")
    wechat_qr = ""
    if community.wechat_qr:
        wechat_qr = reverse("concerns:card_wechat_qr", args=[community.code])
    elif community.wechat_link:
        wechat_qr = qr_data_uri(community.wechat_link)
    cards = []
    for compound in compounds.order_by("grid__path", "name"):
        url = form_url(request, community, compound)
        cards.append(
            Card(
                compound=compound,
                community=community,
                grids=covering_grids(compound),
                form_url=url,
                form_qr=qr_data_uri(url),
                wechat_qr=wechat_qr,
            )
        )
    return cards


def with_last_print(compounds: QuerySet[Compound]) -> QuerySet[Compound]:
    """Each compound with when its card was last printed and by whom (one query)."""
    prints = Event.objects.filter(
        subject_type=ContentType.objects.get_for_model(Compound),
        subject_id=OuterRef("pk"),
        verb=PRINTED,
    ).order_by("-created_at", "-id")
    return compounds.annotate(
        last_printed_at=Subquery(prints.values("created_at")[:1]),
        last_printed_by=Subquery(prints.values("actor__full_name")[:1]),
        last_printed_username=Subquery(prints.values("actor__username")[:1]),
    )


# ---- State changes


def check_phone(value: str, field: str) -> str:
    """A number shown on the printed card: checked by the one phone rule, kept as typed
    (0951-6012345 reads better on a notice board than 09516012345)."""
    value = (value or "").strip()
    if value:
        phones.normalise(value, field)
    return value


def check_wechat_link(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or parts.hostname not in WECHAT_HOSTS:
        raise ActionError(
            _(
                "Paste the address inside the official account's QR code: it starts with "
                "http://weixin.qq.com/r/."
            ),
            code="invalid_wechat_link",
            field="wechat_link",
        )
    if len(value) > 200:
        raise ActionError(_("This address is too long."), code="too_long", field="wechat_link")
    return value


def _save_changes(area: Area, actor: Any, values: dict[str, str]) -> Area:
    with transaction.atomic():
        area = Area.objects.select_for_update().get(pk=area.pk)
        changed = {
            name: [str(getattr(area, name)), value]
            for name, value in values.items()
            if str(getattr(area, name)) != value
        }
        if changed:
            for name, (_old, new) in changed.items():
                setattr(area, name, new)
            area.save(update_fields=list(changed))
            record(area, CONTACTS_CHANGED, actor=actor, public=False, data={"changed": changed})
    return area


def update_card_contacts(
    community: Area,
    *,
    actor: Any,
    public_phone: str,
    office_hours: str,
    wechat_name: str,
    wechat_link: str,
    wechat_qr: Any = None,
    remove_wechat_qr: bool = False,
) -> Area:
    """The community's own lines on its cards. Its staff only (403 for anyone else).

    `wechat_qr` is an uploaded picture of the 公众号's QR code: re-encoded by the shared
    image cleaner, it is printed instead of the code drawn from `wechat_link`."""
    if not may_edit_card(actor, community):
        raise PermissionDenied
    values = {
        "public_phone": check_phone(public_phone, "public_phone"),
        "office_hours": plain_text(office_hours, "office_hours", limit=100),
        "wechat_name": plain_text(wechat_name, "wechat_name", limit=50),
        "wechat_link": check_wechat_link(wechat_link),
    }
    picture = clean_image(wechat_qr, field="wechat_qr") if wechat_qr else None
    if picture is not None:
        name = default_storage.save(f"wechat/{picture.name}", picture)
        values["wechat_qr"] = name
    elif remove_wechat_qr:
        values["wechat_qr"] = ""
    return _save_changes(community, actor, values)


def update_grid_contact(grid: Area, *, actor: Any, grid_worker: str, grid_phone: str) -> Area:
    """A grid's worker and grid phone: the community's staff, or the grid's own worker."""
    if grid.kind != Area.Kind.GRID or not may_edit_grid_contact(actor, grid):
        raise PermissionDenied
    values = {
        "grid_worker": plain_text(grid_worker, "grid_worker", limit=50),
        "grid_phone": check_phone(grid_phone, "grid_phone"),
    }
    return _save_changes(grid, actor, values)


def record_prints(compounds: list[Compound], *, actor: Any) -> None:
    """Staff printed these compounds' cards (403 if they may not post them)."""
    if not compounds:
        return
    if not all(may_print_card(actor, compound) for compound in compounds):
        raise PermissionDenied
    with transaction.atomic():
        record_many(*[(c, PRINTED, {"actor": actor, "public": False}) for c in compounds])
