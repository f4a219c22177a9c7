"""Issue 13, the low items of the API document, the CPPCC rule and the admin: each replayed
as found, and each now failing."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accountability.models import ActionItem
from accounts.models import Organisation, Role
from conftest import PASSWORD
from consultations import actions
from consultations.models import Meeting, Topic
from places.models import Area

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _enum(document: dict, schema: str, field: str) -> list[str]:
    prop = document["components"]["schemas"][schema]["properties"][field]
    ref = prop.get("$ref") or next(p["$ref"] for p in prop.get("anyOf", []) if "$ref" in p)
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]]["enum"]


def test_the_document_no_longer_gives_areas_topics_and_meetings_anothers_values(client):
    document = client.get(API + "/openapi.json").json()
    assert _enum(document, "AreaOut", "kind") == list(Area.Kind.values)
    assert _enum(document, "TopicOut", "status") == list(Topic.Status.values)
    assert _enum(document, "MeetingOut", "status") == list(Meeting.Status.values)


def test_the_document_lists_429_404_and_403(client):
    paths = client.get(API + "/openapi.json").json()["paths"]
    lookup = paths[API + "/concerns/{tracking_code}/matter"]["get"]["responses"]
    assert {"404", "429"} <= set(lookup)
    assert "Retry-After" in lookup["429"]["headers"]
    assert {"401", "403", "404"} <= set(
        paths[API + "/topics/{topic_id}/accept"]["post"]["responses"]
    )


def _post(client, url, data):
    return client.post(API + url, json.dumps(data), content_type="application/json")


def test_a_cppcc_member_by_the_role_alone_creates_no_district_topic(client, world):
    client.login(username=world.cppcc.username, password=PASSWORD)
    response = _post(client, "/topics", {"title": "依法治区", "area": world.district.code})
    assert response.status_code == 403
    assert not Topic.objects.exists()


def test_a_cppcc_representative_changes_no_meeting_of_another_convener(client, world):
    committee = Organisation.objects.create(name="测试区政协", kind=Organisation.Kind.CPPCC)
    committee.areas.add(world.district)
    Role.objects.create(user=world.cppcc, kind=Role.Kind.ORG_REPRESENTATIVE, organisation=committee)
    meeting = actions.schedule_meeting(
        world.staff,
        area=world.c1,
        title="楼道议事会",
        form=Meeting.Form.COUNCIL,
        starts_at=timezone.now() + timedelta(days=7),
        place="一号社区二楼",
        notice_days=0,
    )
    client.login(username=world.cppcc.username, password=PASSWORD)
    assert _post(client, f"/meetings/{meeting.pk}/close", {}).status_code == 403
    assert _post(client, "/topics", {"title": "楼道", "area": world.c1.code}).status_code == 403


def test_the_admin_sees_action_items_and_ratings(client, world):
    ActionItem.objects.create(
        community=world.c1,
        title="冲洗水箱",
        owner_organisation=world.property_company,
        deadline=timezone.localdate(),
    )
    client.force_login(world.admin)
    assert "冲洗水箱" in client.get("/admin/accountability/actionitem/").content.decode()
    assert client.get("/admin/accountability/evaluation/").status_code == 200
    assert client.get("/admin/accountability/progressupdate/").status_code == 200
