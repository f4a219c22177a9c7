"""accounts.masking: one rule per role for residents' phones, names and addresses, and the
same result on the staff issue page, the API issue detail and the ledger."""

import html
import io
import re

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext
from openpyxl import load_workbook

from accounts.masking import (
    HANDLER,
    NEIGHBOUR,
    OBSERVER,
    Masking,
    mask_address,
    mask_name,
    mask_phone,
    masking_for,
)
from concerns.models import Concern
from concerns.tests.conftest import concern_in_building

PHONE, NAME, ROOM = "13912345678", "王小明", "2单元501"
PLACE = "金城蓝湾二期3号楼"
FULL = (PHONE, NAME, f"{PLACE} {ROOM}")
PHONE_HIDDEN = ("139****5678", NAME, f"{PLACE} {ROOM}")
ALL_HIDDEN = ("139****5678", "王**", PLACE)

# role → (the area whose ledger they read, what they see of the resident)
ROLES = {
    "admin": ("C1", FULL),
    "grid_worker": ("C1G1", FULL),
    "staff": ("C1", FULL),
    "secretary": ("C1", FULL),
    "volunteer": ("C1G1", PHONE_HIDDEN),
    "street_officer": ("S1", ALL_HIDDEN),
    "district_officer": ("D1", ALL_HIDDEN),
    "cppcc": ("D1", ALL_HIDDEN),
}


@pytest.mark.parametrize(
    "phone,masked",
    [
        ("13912345678", "139****5678"),
        ("09515012345", "095****2345"),
        ("12345678", "12****78"),
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_name_keeps_the_family_name_only():
    assert mask_name("王小明") == mask_name("王明") == "王**"
    assert mask_name(" ") == mask_name("") == ""


@pytest.mark.parametrize(
    "address,masked",
    [
        ("金城蓝湾二期3号楼1单元502", "金城蓝湾二期3号楼**"),
        ("幸福小区12栋3-402室", "幸福小区12栋**"),
        ("光明里五幢二单元", "光明里五幢**"),
        ("文化东街15号", "文化东街**"),
        ("2单元501", "**"),
        ("幸福小区", "幸福小区"),
        ("", ""),
    ],
)
def test_mask_address_goes_no_finer_than_the_building(address, masked):
    assert mask_address(address) == masked


def test_a_masking_applies_its_rule():
    partial = Masking(full_phone=False, full_name=True, full_address=False)
    assert partial.phone(PHONE) == "139****5678"
    assert partial.name(NAME) == NAME
    assert partial.address("1单元502", PLACE) == PLACE
    assert partial.address("金城蓝湾二期3号楼1单元502") == "金城蓝湾二期3号楼**"
    # The place is not repeated when the typed address already starts with it.
    assert HANDLER.address(f"{PLACE}1单元502", PLACE) == f"{PLACE}1单元502"


@pytest.mark.django_db
def test_masking_for_each_role(world):
    expected = {
        "admin": HANDLER,
        "grid_worker": HANDLER,
        "staff": HANDLER,
        "secretary": HANDLER,
        "volunteer": NEIGHBOUR,
        "grid_worker2": OBSERVER,  # another grid of the same community: not theirs to call
        "street_officer": OBSERVER,
        "district_officer": OBSERVER,
        "cppcc": OBSERVER,
        "org_rep": OBSERVER,
        "staff2": OBSERVER,
        "nobody": OBSERVER,
    }
    for role, masking in expected.items():
        user = getattr(world, role)
        assert masking_for(user, world.g1) == masking, role
    # Over the whole community, a grid's own people are no longer the handlers.
    assert masking_for(world.grid_worker, world.c1) == OBSERVER
    assert masking_for(world.staff, world.c1) == HANDLER
    assert masking_for(world.street_officer, world.street) == OBSERVER
    assert masking_for(world.admin, world.district) == HANDLER


@pytest.fixture
def concern(world) -> Concern:
    return concern_in_building(
        world,
        content="自来水发黄，接了一盆全是黄的",
        channel=Concern.Channel.WEB,
        phone=PHONE,
        name=NAME,
        address=ROOM,
    )


def page_line(client, concern) -> tuple[str, str, str]:
    page = client.get(f"/concerns/issues/{concern.issue_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    line = re.search(r'<p class="muted">(.*?) · <span class="phone">(.*?)</span> · (.*?)</p>', text)
    assert line, text
    name, phone, address = (html.unescape(part) for part in line.groups())
    return phone, name, address


def api_row(client, concern) -> tuple[str, str, str]:
    detail = client.get(f"/api/v1/issues/{concern.issue_id}")
    assert detail.status_code == 200
    (row,) = [c for c in detail.json()["concerns"] if c["id"] == concern.pk]
    return row["phone"], row["name"], row["address"]


def ledger_row(client, area_code) -> tuple[str, str, str]:
    response = client.get(f"/insights/a/{area_code}/ledger/concerns.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheet = book.worksheets[1]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    with translation.override(settings.LANGUAGE_CODE):
        columns = [header.index(pgettext("ledger column", c)) for c in ("Phone", "Name", "Address")]
    (row,) = rows
    return tuple(row[i] for i in columns)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLES))
def test_page_api_and_ledger_mask_alike(client, world, concern, role):
    """Each role sees one resident the same on the page, in the API and in a ledger: a ledger
    that gave more than the API would undo the masking."""
    area_code, expected = ROLES[role]
    client.force_login(getattr(world, role))
    seen = {
        "page": page_line(client, concern),
        "api": api_row(client, concern),
        "ledger": ledger_row(client, area_code),
    }
    assert seen == {"page": expected, "api": expected, "ledger": expected}
    if expected != FULL:
        page = client.get(f"/concerns/issues/{concern.issue_id}/").content.decode()
        assert PHONE not in page
        assert (ROOM in page) == (expected[2] != PLACE)
