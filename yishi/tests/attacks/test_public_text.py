"""Issue 13, 3 (private text on public pages), replayed: the same requests the attacker made
now show nothing private.

- `/accountability/story/issue/<id>/` took counted ids and showed staff notes: now 404.
- The story page, by its token, shows no internal note and no unmasked phone.
- Open311 `status_notes` carried the same internal notes: now only public statements.
- The issue title was the first resident's raw words (name, address, phone): it appears
  nowhere public.
"""

import pytest
from django.urls import reverse

from accountability.tests.conftest import publish
from accounts.models import Organisation
from concerns.actions import accept_issue, record_site_visit, resolve_issue
from concerns.models import Concern, Issue
from places.models import Building, Compound

pytestmark = pytest.mark.django_db

FIRST = "我叫张伟，住金城蓝湾二期3栋2单元501室，电话13812345678，楼上天天漏水到我家"
SECRETS = ("张伟", "13812345678", "单元501", "其妻", "家暴", "13700001111", "13900002222")
ACCEPT_NOTE = "其妻称遭家暴，丈夫电话13700001111，注意安全"
VISIT_NOTE = "到3栋2单元501室查看，楼上住户电话13900002222"


@pytest.fixture
def matter(client, world):
    """Two residents raise the leak through the public API; staff accept it with an internal
    note and visit the place; it is published as an action item (a public matter)."""
    compound = Compound.objects.create(name="金城蓝湾二期", grid=world.g1)
    building = Building.objects.create(compound=compound, name="3栋")
    codes = []
    for content, phone in ((FIRST, "13812345678"), ("楼上漏水到我家，天花板都泡了", "13600003333")):
        response = client.post(
            "/api/v1/concerns",
            {"community": "C1", "content": content, "phone": phone, "building": building.pk},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        codes.append(response.json()["tracking_code"])
    issue = Issue.objects.get()
    # The staff's working title keeps the room ("单元501"), which must still go nowhere public.
    assert issue.concerns_count == 2 and "单元501" in issue.title
    accept_issue(issue, actor=world.staff, note=ACCEPT_NOTE)
    record_site_visit(issue, actor=world.staff, notes=VISIT_NOTE)
    company = Organisation.objects.create(name="物业公司", kind=Organisation.Kind.PROPERTY_COMPANY)
    item = publish(world, company, title="维修楼上防水层", days=10, issues=[issue])
    issue.refresh_from_db()
    return issue, item, codes


def assert_nothing_private(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, (where, secret)


def test_story_page_by_counted_id_is_gone(client, matter):
    issue, item, _codes = matter
    for kind, pk in (("issue", issue.pk), ("item", item.pk), ("issue", 1), ("issue", 2)):
        response = client.get(f"/accountability/story/{kind}/{pk}/")
        assert response.status_code == 404
        assert_nothing_private(response.content.decode(), f"story/{kind}/{pk}")


def test_story_page_by_token_shows_no_internal_note(client, matter):
    issue, item, _codes = matter
    for token in (issue.story_token, item.story_token):
        response = client.get(f"/accountability/story/m/{token}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert_nothing_private(html, token)
        assert issue.title_for_public in html


def test_open311_status_notes_have_no_internal_note(client, world, matter):
    issue, _item, _codes = matter
    rows = client.get("/open311/v2/requests.json").json()
    assert len(rows) == 2
    for row in rows:
        assert_nothing_private(str(row), "open311")
        assert row["description"] == issue.title_for_public
    # A statement written for residents does reach status_notes, masked.
    resolve_issue(issue, actor=world.staff, note="已维修，回访电话13500004444")
    rows = client.get("/open311/v2/requests.json").json()
    assert all(r["status_notes"].endswith("已维修，回访电话135****4444") for r in rows)


def test_the_first_message_appears_nowhere_public(client, world, matter):
    issue, item, codes = matter
    first = Concern.objects.get(tracking_code=codes[0])
    pages = {
        "tracking page of the second resident": reverse("concerns:track_code", args=[codes[1]]),
        "public API of the second resident": f"/api/v1/concerns/{codes[1]}",
        "matter API of the second resident": f"/api/v1/concerns/{codes[1]}/matter",
        "story by token": f"/accountability/story/m/{issue.story_token}/",
        "item story by token": f"/accountability/story/m/{item.story_token}/",
        "whole story by the second code": reverse("accountability:story_code", args=[codes[1]]),
        "public board": reverse("accountability:board", args=["C1"]),
        "public board API": "/api/v1/boards/C1",
        "community page": reverse("yishi:community", args=["C1"]),
        "Open311 list": "/open311/v2/requests.json",
        "Open311 list (XML)": "/open311/v2/requests.xml",
        "Open311 one request": f"/open311/v2/requests/{first.public_id}.json",
    }
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (where, response.status_code)
        assert_nothing_private(response.content.decode(), where)
    # What the public read instead: the compound and the kind of matter.
    assert issue.title_for_public == f"金城蓝湾二期 · {issue.category.name}"
