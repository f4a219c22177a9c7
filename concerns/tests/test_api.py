"""The JSON API: submit, track, idempotency, rate limits, bad input, issues for staff."""

import json

import pytest

from accounts.models import ApiToken
from concerns.models import Concern, Issue

URL = "/api/v1/concerns"


def post(client, body, **headers):
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def bearer(user) -> dict:
    _token, key = ApiToken.issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def body(**kw):
    return {"community": "C1", "content": "自来水发黄了", "phone": "13800138000"} | kw


def test_submit_answers_201_with_code_and_issue(client, world, places):
    response = post(client, body(building=places["b"][3].pk))
    assert response.status_code == 201
    data = response.json()
    assert len(data["tracking_code"]) == 8
    assert data["issue"]["residents_count"] == 1
    second = post(client, body(phone="13900139000", content="水龙头出来的水是黄的")).json()
    assert second["issue"]["id"] == data["issue"]["id"]
    assert second["issue"]["residents_count"] == 2


def test_idempotency_key_returns_the_first_answer(client, world):
    first = post(client, body(), HTTP_IDEMPOTENCY_KEY="k-123")
    again = post(client, body(), HTTP_IDEMPOTENCY_KEY="k-123")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Concern.objects.count() == 1


def test_a_retry_is_answered_even_when_its_first_submit_used_the_last_allowance(
    client, world, settings
):
    settings.CONCERN_SUBMIT_PER_PHONE = 1
    first = post(client, body(), HTTP_IDEMPOTENCY_KEY="k-9")
    again = post(client, body(), HTTP_IDEMPOTENCY_KEY="k-9")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert post(client, body(), HTTP_IDEMPOTENCY_KEY="k-10").status_code == 429
    assert Concern.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"content": ""}, 400, "content"),
        ({"content": "水" * 20_001}, 400, "content"),
        ({"content": "水黄\u0000"}, 400, "content"),
        ({"phone": "1234"}, 400, "phone"),
        ({"community": "NOPE"}, 404, "community"),
        ({"channel": "phone"}, 403, "channel"),
        ({"building": 999999}, 400, "building"),
        ({"channel": "pigeon"}, 422, "channel"),
    ],
)
def test_bad_input_is_a_4xx_json_error_and_writes_nothing(client, world, changes, status, field):
    response = post(client, body(**changes))
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] and error["message"]
    assert field in error["fields"]
    assert Concern.objects.count() == 0 and Issue.objects.count() == 0


def test_missing_content_field(client, world):
    response = post(client, {"community": "C1", "phone": "13800138000"})
    assert response.status_code == 400
    assert Concern.objects.count() == 0


def test_anonymous_submits_are_limited_per_phone_and_per_ip(client, world, settings):
    settings.CONCERN_SUBMIT_PER_PHONE = 3
    settings.CONCERN_SUBMIT_PER_IP = 5
    for _ in range(3):
        assert post(client, body()).status_code == 201
    limited = post(client, body())
    assert limited.status_code == 429
    # The phone's first submit frees a place one window after it was made, moments ago.
    window = settings.CONCERN_SUBMIT_WINDOW
    assert window - 60 <= int(limited["Retry-After"]) <= window
    assert limited.json()["error"]["code"] == "rate_limited"
    # Other phones from the same address, up to the address's limit.
    assert post(client, body(phone="13900000001")).status_code == 201
    assert post(client, body(phone="13900000002")).status_code == 429
    assert Concern.objects.count() == 4


def test_staff_channel_with_a_token(client, world):
    response = post(
        client,
        body(channel="phone", received_at="2026-11-20T09:00:00+08:00"),
        **bearer(world.staff),
    )
    assert response.status_code == 201
    concern = Concern.objects.get()
    assert concern.channel == "phone" and concern.created_by == world.staff


def test_tracking_is_public_without_personal_data(client, world):
    code = post(client, body(name="张阿姨", address="5号楼1单元302")).json()["tracking_code"]
    response = client.get(f"{URL}/{code.lower()}")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "new" and data["residents_count"] == 1
    text = json.dumps(data, ensure_ascii=False)
    assert "13800138000" not in text and "张阿姨" not in text and "302" not in text
    assert data["timeline"][0]["what"]
    assert client.get(f"{URL}/ZZZZ2222").status_code == 404


def test_issue_list_and_handling_by_the_grid_worker(client, world, places):
    issue_id = post(client, body(building=places["b"][3].pk)).json()["issue"]["id"]
    auth = bearer(world.grid_worker)
    listing = client.get("/api/v1/issues", **auth).json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == issue_id
    base = f"/api/v1/issues/{issue_id}"
    r = client.post(f"{base}/accept", "{}", content_type="application/json", **auth)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = client.post(
        f"{base}/site-visit",
        json.dumps({"notes": "查看了3号楼水龙头"}),
        content_type="application/json",
        **auth,
    )
    assert r.json()["status"] == "in_progress"
    r = client.post(
        f"{base}/escalate",
        json.dumps({"reason": "需要自来水公司"}),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 200 and r.json()["level"] == "community"
    # The grid worker no longer handles it; the community does.
    r = client.post(
        f"{base}/settle", json.dumps({"outcome": "x"}), content_type="application/json", **auth
    )
    assert r.status_code == 403
    r = client.post(
        f"{base}/settle",
        json.dumps({"outcome": "已冲洗管道"}),
        content_type="application/json",
        **bearer(world.staff),
    )
    assert r.status_code == 200 and r.json()["status"] == "settled"


def test_issue_api_scope(client, world):
    issue_id = post(client, body()).json()["issue"]["id"]
    assert client.get(f"/api/v1/issues/{issue_id}").status_code == 401
    assert client.get(f"/api/v1/issues/{issue_id}", **bearer(world.staff2)).status_code == 404
    detail = client.get(f"/api/v1/issues/{issue_id}", **bearer(world.cppcc))
    assert detail.status_code == 200
    assert detail.json()["concerns"][0]["phone"] == "138****8000"
    r = client.post(
        f"/api/v1/issues/{issue_id}/accept",
        "{}",
        content_type="application/json",
        **bearer(world.cppcc),
    )
    assert r.status_code == 403
    assert client.get("/api/v1/issues", **bearer(world.staff2)).json()["count"] == 0


def test_merge_and_split_over_the_api(client, world):
    auth = bearer(world.staff)
    a = post(client, body(content="自来水发黄")).json()["issue"]["id"]
    b = post(client, body(content="小区路灯不亮", phone="13900000001")).json()["issue"]["id"]
    assert a != b
    r = client.post(
        f"/api/v1/issues/{b}/merge",
        json.dumps({"into": a}),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 200 and r.json()["residents_count"] == 2
    assert Issue.objects.get(pk=b).status == "merged"
    lamp = Concern.objects.get(content="小区路灯不亮")
    r = client.post(
        f"/api/v1/issues/{a}/split",
        json.dumps({"concerns": [lamp.pk]}),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201 and r.json()["residents_count"] == 1
    assert Issue.objects.get(pk=a).residents_count == 1


def test_openapi_lists_the_endpoints(client, world):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/concerns" in paths and "/api/v1/issues/{issue_id}/merge" in paths


def test_categories_are_public_with_their_time_limits(client, db):
    from concerns.models import Category

    Category.objects.all().delete()  # the seeded ones: this test sets its own
    Category.objects.create(code="water", name="供水", group="市政", resolve_days=5, sort_order=2)
    Category.objects.create(code="noise", name="噪声", group="环境", sort_order=1)
    Category.objects.create(code="old", name="旧分类", group="市政", active=False)
    page = client.get("/api/v1/categories").json()
    assert page["count"] == 2 and [c["code"] for c in page["items"]] == ["noise", "water"]
    water = page["items"][1]
    assert water == {
        "code": "water",
        "name": "供水",
        "description": "",
        "group": "市政",
        "accept_hours": 24,
        "respond_hours": 48,
        "resolve_days": 5,
    }
    assert client.get("/api/v1/categories?group=市政").json()["count"] == 1
    assert client.get("/api/v1/categories?page_size=0").status_code == 422


def test_issue_list_area_keeps_the_subtree(client, world, places):
    post(client, body(building=places["b"][1].pk))  # grid C1G1 of C1
    post(client, body(community="C2", content="路灯坏了", phone="13900000002"))
    auth = bearer(world.street_officer)

    def count(area):
        return client.get("/api/v1/issues", {"area": area}, **auth).json()["count"]

    assert count("S1") == 2
    assert count("C1") == count("C1G1") == count("C2") == 1
    assert count("C1G2") == count("NOPE") == count("C\x001") == count("S1/C1") == 0
    # `area` is the one filter of place on this list; `community` and `grid` are ignored.
    assert client.get("/api/v1/issues", {"community": "C2"}, **auth).json()["count"] == 2


def test_openapi_documents_the_one_style(client, world):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/categories", "/api/v1/issues", "/api/v1/concerns/{tracking_code}"):
        assert path in paths
    names = {p["name"] for p in paths["/api/v1/issues"]["get"]["parameters"]}
    assert {"area", "page", "page_size"} <= names and not names & {"community", "grid", "within"}
    building = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["ConcernIn"]
    assert "/api/v1/buildings" in building["properties"]["building"]["description"]


def test_issue_ids_beyond_the_database_range_are_a_422(client, world):
    response = client.get(f"/api/v1/issues/{2**64}", **bearer(world.staff))
    assert response.status_code == 422 and "issue_id" in response.json()["error"]["fields"]


def test_a_long_board_post_with_angle_brackets_is_taken_as_written(client, world):
    """Message boards hold posts of many thousand characters that quote regulations by their
    titles between < and >; staff post them through the API and none may be refused."""
    subject = "关于<某市征地补偿安置办法>执行问题的反映"
    history = "2019年5月村里开会宣布征地，每亩补偿3.2万元，至今只发了一半。" * 300
    content = f"{subject}\n尊敬的领导：您好！{history}<请依法处理>"
    assert 9_000 < len(content) < 20_000
    response = post(client, body(content=content, phone=""), **bearer(world.staff))
    assert response.status_code == 201, response.content
    assert Concern.objects.get().content == content


def test_the_longest_post_of_varied_words_is_taken_and_grouped(client, world):
    """20,000 characters of varied text (thousands of distinct terms) go through grouping, the
    term counts and the index in bounded statements: taken, twice, without a 500."""
    import random

    rnd = random.Random(5)
    chars = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工"
    chars += "也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化"
    chars += "现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那"
    text = "".join(rnd.choice(chars) for _ in range(19_970)) + "<某市征地补偿安置办法>"
    assert len(text) <= 20_000
    for content in (text, text[::-1]):
        response = post(client, body(content=content, phone=""), **bearer(world.staff))
        assert response.status_code == 201, response.content[:300]
    assert Concern.objects.count() == 2
