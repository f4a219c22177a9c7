"""POST requests: a partner system raises a concern exactly as the resident's form does."""

import pytest
from django.utils import timezone

from concerns.models import Concern, Issue
from open311.models import ServiceRequest
from open311.tests import spec
from open311.tests.conftest import request_form
from places.models import Building, Compound
from timeline.models import Event

V2 = "/open311/v2"


@pytest.fixture
def places(world):
    compound = Compound.objects.create(name="金城蓝湾二期", grid=world.g2, address="长城中路")
    building = Building.objects.create(compound=compound, name="3号楼")
    return compound, building


def body(partner, **fields):
    """A noise complaint with the resident's name."""
    named = {
        "description": "楼下广场舞音响太吵，晚上十点还不停",
        "first_name": "建国",
        "last_name": "王",
    }
    return request_form(partner, **{**named, **fields})


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_post_creates_a_concern_and_answers_its_tracking_code(client, partner, world, fmt):
    response = client.post(f"{V2}/requests.{fmt}", body(partner))
    if fmt == "json":
        [answer] = spec.check_json(response, spec.POST_RESPONSE)
    else:
        [request] = spec.check_xml(response, "service_requests")
        answer = {c.tag: c.text for c in request}
        assert "token" not in answer
    concern = Concern.objects.get()
    assert answer["service_request_id"] == concern.public_id
    assert concern.tracking_code in answer["service_notice"]
    assert concern.channel == Concern.Channel.API
    assert concern.community == world.c1
    assert concern.category.code == "noise"
    assert concern.reporter_name == "王建国"
    assert concern.phone == "13800138000"
    # Grouped and counted like any concern, with the category's time limit.
    issue = concern.issue
    assert issue.residents_count == 1
    assert issue.resolve_due_at is not None
    assert Event.objects.filter(verb="concern.received", subject_id=concern.pk).exists()
    extra = ServiceRequest.objects.get()
    assert (extra.concern, extra.api_key) == (concern, partner.api_key)


def test_a_second_resident_joins_the_same_issue(client, partner):
    first = client.post(f"{V2}/requests.json", body(partner)).json()[0]
    second = client.post(
        f"{V2}/requests.json",
        body(partner, phone="13900139000", description="广场舞音响太吵了，晚上十点还在跳"),
    ).json()[0]
    assert first["service_request_id"] != second["service_request_id"]
    issue = Issue.objects.get()
    assert issue.residents_count == 2
    assert "2" in second["service_notice"]


def test_post_with_attributes_and_coordinates(client, partner, water, places):
    compound, building = places
    response = client.post(
        f"{V2}/requests.json",
        body(
            partner,
            service_code="water",
            address_string="长城中路金城蓝湾二期3号楼2单元501",
            lat="38.4872",
            long="106.2309",
            description="水龙头里的水发黄",
            **{
                "attribute[colour]": "yellow",
                "attribute[since]": "2026-11-20T08:00:00+08:00",
                "attribute[taps][]": ["kitchen", "bath"],
                "email": "wang@example.cn",
                "account_id": "u-42",
            },
        ),
    )
    [answer] = spec.check_json(response, spec.POST_RESPONSE)
    assert answer["account_id"] == "u-42"
    concern = Concern.objects.get()
    assert (concern.compound, concern.building) == (compound, building)
    assert "水是什么颜色？：发黄" in concern.content
    assert "哪些水龙头？：厨房、卫生间" in concern.content
    extra = concern.open311_request
    assert extra.attributes == {
        "colour": "yellow",
        "since": "2026-11-20T08:00:00+08:00",
        "taps": ["kitchen", "bath"],
    }
    assert (extra.lat, extra.long, extra.email) == (38.4872, 106.2309, "wang@example.cn")
    # The partner reads it back in full with its key; anyone else sees no room number,
    # no resident's words and coordinates to about a hundred metres.
    url = f"{V2}/requests/{concern.public_id}.json"
    [item] = client.get(url, {"api_key": partner.key}).json()
    assert (item["lat"], item["long"]) == (38.4872, 106.2309)
    assert item["address_id"] == f"building:{building.pk}"
    assert "2单元501" in item["address"]
    assert "水龙头里的水发黄" in item["description"]
    [public] = client.get(url).json()
    assert (public["lat"], public["long"]) == (38.487, 106.231)
    assert "501" not in public["address"] and public["address"].startswith("金城蓝湾二期3号楼")
    assert public["description"] == concern.issue.title_for_public == "金城蓝湾二期 · 供水"


def test_address_id_names_a_grid_or_a_building(client, partner, world, places):
    _compound, building = places
    client.post(f"{V2}/requests.json", body(partner, address_string=None, address_id="C1G1"))
    client.post(
        f"{V2}/requests.json",
        body(
            partner, address_string=None, address_id=f"building:{building.pk}", phone="13900139000"
        ),
    )
    by_grid, by_building = Concern.objects.order_by("pk")
    assert (by_grid.community, by_building.building) == (world.c1, building)


def test_lat_long_alone_place_a_key_that_serves_one_community(client, partner, world):
    response = client.post(
        f"{V2}/requests.json", body(partner, address_string=None, lat="38.5", long="106.2")
    )
    assert response.status_code == 200
    assert Concern.objects.get().community == world.c1


def test_replayed_idempotency_key_creates_one_concern(client, partner):
    headers = {"HTTP_IDEMPOTENCY_KEY": "hotline-call-7781"}
    first = client.post(f"{V2}/requests.json", body(partner), **headers).json()
    second = client.post(f"{V2}/requests.json", body(partner), **headers).json()
    assert first[0]["service_request_id"] == second[0]["service_request_id"]
    assert Concern.objects.count() == 1


def test_the_request_can_be_followed_by_token(client, partner):
    client.post(f"{V2}/requests.json", body(partner))
    extra = ServiceRequest.objects.get()
    [answer] = client.get(f"{V2}/tokens/{extra.token}.json").json()
    assert answer["service_request_id"] == extra.concern.public_id


def test_key_use_is_recorded(client, partner):
    assert partner.api_key.last_used_at is None
    client.post(f"{V2}/requests.json", body(partner))
    partner.api_key.refresh_from_db()
    assert partner.api_key.last_used_at <= timezone.now()


def test_the_key_may_come_in_the_query_string(client, partner):
    data = body(partner)
    key = data.pop("api_key")
    response = client.post(f"{V2}/requests.json?api_key={key}", data)
    assert response.status_code == 200
    assert Concern.objects.count() == 1
