"""What a CPPCC member (政协委员) may do, action by action, through the JSON API.

The rule (consultations.permissions): by the CPPCC member role alone they only look over their
district (403 on any change). Representing their CPPCC committee (政协), as the demo members
do, they also set the committee's thematic topics for their district or a street in it,
accept or shelve those, and plan and run the meetings the committee convenes. Community
topics and meetings, issues and action items stay the community's: 403."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accountability.models import ActionItem
from accounts.models import Organisation, Role
from concerns.tests.conftest import make_issue
from conftest import PASSWORD
from consultations import actions
from consultations.models import Meeting, Topic
from consultations.tests.conftest import plan_meeting

pytestmark = pytest.mark.django_db
API = "/api/v1"


def post(client, url, data=None):
    return client.post(API + url, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def committee(world):
    cppcc = Organisation.objects.create(name="测试区政协", kind=Organisation.Kind.CPPCC)
    cppcc.areas.add(world.district)
    return cppcc


@pytest.fixture
def member(client, world):
    """The CPPCC member of `world`, by that role alone, logged in."""
    client.login(username=world.cppcc.username, password=PASSWORD)
    return world.cppcc


@pytest.fixture
def representative(member, committee):
    """The same member, also representing their CPPCC committee (as the demo's members)."""
    Role.objects.create(user=member, kind=Role.Kind.ORG_REPRESENTATIVE, organisation=committee)
    return member


def meeting_data(area, **extra):
    starts = timezone.now() + timedelta(days=7)
    data = {
        "title": "专题协商会",
        "form": Meeting.Form.THEMATIC_RESEARCH,
        "area": area.code,
        "starts_at": starts.isoformat(),
        "place": "区政协会议室",
    }
    return dict(data, **extra)


def community_meeting(world, convener=None):
    return plan_meeting(
        world,
        title="楼道议事会",
        starts_in=timedelta(days=7),
        place="一号社区二楼",
        convener=convener,
        notice_days=0,
    )


# ---- By the member role alone: look, never change ----------------------------------------


def test_a_member_alone_sees_the_district_but_changes_nothing(client, world, member):
    issue = make_issue(world.c1, "路灯不亮", residents=2)
    topic = actions.create_topic(world.staff, title="路灯", issues=[issue])
    meeting = community_meeting(world)
    assert client.get(f"{API}/topics/{topic.pk}").status_code == 200
    assert client.get(f"{API}/meetings/{meeting.pk}").status_code == 200
    assert client.get(f"{API}/issues/{issue.pk}").status_code == 200

    assert (
        post(client, "/topics", {"title": "依法治区", "area": world.district.code}).status_code
        == 403
    )
    assert post(client, "/meetings", meeting_data(world.district)).status_code == 403
    assert post(client, f"/topics/{topic.pk}/accept").status_code == 403
    assert post(client, f"/meetings/{meeting.pk}/notice").status_code == 403
    assert post(client, f"/issues/{issue.pk}/accept", {"note": ""}).status_code == 403
    assert not Topic.objects.filter(area=world.district).exists()
    assert Meeting.objects.count() == 1


# ---- Representing the CPPCC committee: its own consultations ------------------------------


def test_the_committee_sets_thematic_topics_for_its_district_and_streets(
    client, world, representative
):
    for area in (world.district, world.street):
        response = post(client, "/topics", {"title": "推进全面依法治区", "area": area.code})
        assert response.status_code == 201, response.content
        topic_id = response.json()["id"]
        assert post(client, f"/topics/{topic_id}/accept").status_code == 200
    assert Topic.objects.filter(status=Topic.Status.ACCEPTED).count() == 2


def test_community_topics_stay_the_communitys(client, world, representative):
    assert post(client, "/topics", {"title": "楼道", "area": world.c1.code}).status_code == 403
    issue = make_issue(world.c1, "楼道堆物")
    topic = actions.create_topic(world.staff, title="楼道", issues=[issue])
    assert post(client, f"/topics/{topic.pk}/accept").status_code == 403
    assert post(client, f"/topics/{topic.pk}/shelve", {"reason": "不议"}).status_code == 403
    topic.refresh_from_db()
    assert topic.status == Topic.Status.PROPOSED


def test_the_committee_plans_and_runs_its_own_meetings(client, world, committee, representative):
    topic = post(client, "/topics", {"title": "依法治区", "area": world.district.code}).json()
    data = meeting_data(world.district, convener=committee.pk, topics=[topic["id"]])
    response = post(client, "/meetings", data)
    assert response.status_code == 201, response.content
    own = response.json()["id"]
    assert post(client, f"/meetings/{own}/notice").status_code == 200
    invited = post(client, f"/meetings/{own}/participants", {"party": "department", "name": "某局"})
    assert invited.status_code == 201
    # A three-party meeting in a community, convened by the committee, is its own too.
    there = community_meeting(world, convener=committee)
    issue = make_issue(world.c1, "公园缺少健身设施")
    there.topics.add(actions.create_topic(world.staff, title="健身设施", issues=[issue]))
    assert post(client, f"/meetings/{there.pk}/notice").status_code == 200


def test_meetings_convened_by_others_are_only_looked_at(client, world, representative):
    department = Organisation.objects.create(
        name="区文体局", kind=Organisation.Kind.GOVERNMENT_DEPARTMENT
    )
    for convener in (None, department):
        meeting = community_meeting(world, convener=convener)
        assert client.get(f"{API}/meetings/{meeting.pk}").status_code == 200
        assert post(client, f"/meetings/{meeting.pk}/notice").status_code == 403
        assert post(client, f"/meetings/{meeting.pk}/close").status_code == 403
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.DRAFT
    # Nor may the committee claim another organisation's meeting when planning one.
    data = meeting_data(world.district, convener=department.pk)
    assert post(client, "/meetings", data).status_code == 403


def test_issues_and_action_items_stay_out_of_reach(client, world, representative):
    issue = make_issue(world.c1, "井盖缺失")
    assert post(client, f"/issues/{issue.pk}/accept", {"note": ""}).status_code == 403
    response = post(
        client,
        "/action-items",
        {
            "community": world.c1.code,
            "title": "补井盖",
            "owner_organisation": world.property_company.pk,
            "deadline": "2030-01-01",
            "issues": [issue.pk],
        },
    )
    assert response.status_code == 403, response.content
    assert not ActionItem.objects.exists()


def test_nothing_outside_the_district(client, world, committee, representative):
    data = {"title": "别处", "area": world.other_district.code}
    assert post(client, "/topics", data).status_code == 404
    assert not Topic.objects.exists()
