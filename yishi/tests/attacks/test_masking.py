"""Replay of issue 13 §9: ledgers masked less than the API. A street officer downloaded full
addresses and a building head (volunteer) full phone numbers from the concern register."""

import io

import pytest
from openpyxl import load_workbook

from concerns.models import Concern
from concerns.tests.conftest import concern_in_building


@pytest.fixture
def concern(world) -> Concern:
    return concern_in_building(
        world,
        content="楼道灯坏了很久",
        channel=Concern.Channel.PHONE,
        phone="13912345678",
        name="王小明",
        address="金城蓝湾二期3号楼2单元501",
        actor=world.staff,
    )


def ledger_text(client, code: str) -> str:
    response = client.get(f"/insights/a/{code}/ledger/concerns.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role,code", [("street_officer", "S1"), ("district_officer", "D1")])
def test_officers_get_no_address_finer_than_the_building(client, world, concern, role, code):
    client.force_login(getattr(world, role))
    text = ledger_text(client, code)
    assert "金城蓝湾二期3号楼" in text
    assert "2单元501" not in text and "13912345678" not in text and "王小明" not in text


@pytest.mark.django_db
def test_a_building_head_gets_no_full_phone(client, world, concern):
    client.force_login(world.volunteer)
    text = ledger_text(client, "C1G1")
    assert "139****5678" in text and "13912345678" not in text
    api = client.get(f"/api/v1/issues/{concern.issue_id}").json()
    assert [c["phone"] for c in api["concerns"]] == ["139****5678"]
