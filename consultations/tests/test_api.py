"""The JSON API: the same actions, the one error format, and nothing written on bad input."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from concerns.tests.conftest import make_issue
from conftest import PASSWORD
from consultations.models import Meeting, Resolution, Statement, Topic, Vote
from consultations.views.common import participant_at
from core.errors import ActionError

pytestmark = pytest.mark.django_db
API = "/api/v1"


def post(client, url, data=None):
    return client.post(API + url, json.dumps(data or {}), content_type="application/json")


def as_user(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def error(response, status, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"])
    if field:
        assert field in body["error"]["fields"], body
    return body["error"]


def meeting_data(world, topic, venue, starts_at, **extra):
    """What POST /meetings takes for a council of the first community on `topic`."""
    data = {
        "title": "议事会",
        "form": "council",
        "area": world.c1.code,
        "starts_at": starts_at,
        "venue": venue.pk,
        "topics": [topic.pk],
    }
    return dict(data, **extra)


def test_topics_from_issues_and_listing(client, world):
    issue = make_issue(world.c1, "黄水", residents=3)
    as_user(client, world.staff)
    response = post(client, "/topics", {"title": "自来水发黄", "issues": [issue.pk]})
    assert response.status_code == 201
    assert response.json()["residents_count"] == 3
    listing = client.get(API + "/topics").json()
    assert listing["count"] == 1 and listing["items"][0]["issues"] == [issue.pk]
    error(post(client, "/topics", {"title": "重复", "issues": [issue.pk]}), 409, "issues")
    error(post(client, "/topics", {"title": "无处", "issues": [999999]}), 400, "issues")
    error(post(client, "/topics", {"title": "无区域"}), 400, "area")
    error(post(client, "/topics", {"issues": []}), 422, "title")
    assert Topic.objects.count() == 1


def test_topic_permissions(client, world, topic):
    as_user(client, world.staff2)
    error(client.get(f"{API}/topics/{topic.pk}"), 404)
    client.logout()
    as_user(client, world.district_officer)
    assert client.get(f"{API}/topics/{topic.pk}").status_code == 200
    error(post(client, f"/topics/{topic.pk}/accept"), 403)
    client.logout()
    error(client.get(API + "/topics"), 401)
    error(post(client, f"/topics/{topic.pk}/shelve", {"reason": "x"}), 401)


def test_support_is_public_and_once(client, world, topic):
    assert post(client, f"/topics/{topic.pk}/support", {"phone": "13800001111"}).json() == {
        "id": topic.pk,
        "supporters_count": 1,
    }
    error(post(client, f"/topics/{topic.pk}/support", {"phone": "13800001111"}), 409)
    error(post(client, f"/topics/{topic.pk}/support", {"phone": "abc"}), 400, "phone")


def test_meeting_lifecycle_by_api(client, world, topic, venue):
    as_user(client, world.staff)
    starts = (timezone.now() + timedelta(hours=2)).isoformat()
    data = meeting_data(world, topic, venue, starts, notice_days=0, quorum=1)
    meeting = post(client, "/meetings", data).json()
    mid = meeting["id"]
    assert meeting["status"] == "draft"
    assert post(client, f"/meetings/{mid}/notice").json()["status"] == "announced"
    person = post(
        client,
        f"/meetings/{mid}/participants",
        {"party": "resident", "name": "王大爷", "phone": "13800001111"},
    ).json()
    client.logout()
    # The participant signs in on their phone and speaks for themselves.
    error(post(client, f"/meetings/{mid}/sign-in", {"code": "x"}), 400, "code")
    signed = post(client, f"/meetings/{mid}/sign-in", {"code": person["sign_in_code"]}).json()
    error(post(client, f"/meetings/{mid}/sign-in", {"code": person["sign_in_code"]}), 409, "code")
    token = signed["token"]
    mine = post(
        client,
        f"/meetings/{mid}/my-statements",
        {"token": token, "text": "尽快清理", "topic": topic.pk},
    )
    assert mine.status_code == 201 and mine.json()["participant"] == person["id"]
    error(post(client, f"/meetings/{mid}/my-statements", {"token": "forged", "text": "冒名"}), 403)
    error(post(client, f"/meetings/{mid}/statements", {"text": "匿名"}), 401)
    # The convener opens a vote; the participant votes once; staff close it.
    as_user(client, world.staff)
    motion = post(
        client, f"/meetings/{mid}/motions", {"text": "物业清运", "topic": topic.pk}
    ).json()
    client.logout()
    assert (
        post(client, f"/motions/{motion['id']}/my-votes", {"token": token, "choice": "for"}).json()[
            "votes_for"
        ]
        == 1
    )
    error(post(client, f"/motions/{motion['id']}/my-votes", {"token": token, "choice": "for"}), 409)
    error(
        post(client, f"/motions/{motion['id']}/my-votes", {"token": token, "choice": "maybe"}), 422
    )
    as_user(client, world.staff)
    closed = post(client, f"/motions/{motion['id']}/close").json()
    assert closed["outcome"] == "adopted"
    client.logout()
    error(
        post(client, f"/motions/{motion['id']}/my-votes", {"token": token, "choice": "against"}),
        409,
    )
    as_user(client, world.staff)
    error(post(client, f"/meetings/{mid}/resolutions", {"text": "没有议题"}), 400, "topic")
    target = (timezone.localdate() + timedelta(days=30)).isoformat()
    resolution = post(
        client,
        f"/meetings/{mid}/resolutions",
        {
            "topic": topic.pk,
            "text": "物业每周清运",
            "organisations": [world.property_company.pk],
            "target_date": target,
            "motion": motion["id"],
        },
    )
    assert resolution.status_code == 201
    assert resolution.json()["responsible_organisations"] == [world.property_company.name]
    assert post(client, f"/meetings/{mid}/close").json()["status"] == "closed"
    assert (
        post(client, f"/meetings/{mid}/result", {"summary": "通过"}).json()["status"] == "published"
    )
    assert client.get(API + "/resolutions").json()["count"] == 1
    assert client.get(API + "/resolutions", {"area": world.c1.code}).json()["count"] == 1
    assert client.get(API + "/resolutions", {"area": "NOPE"}).json()["count"] == 0
    of_meeting = client.get(f"{API}/meetings/{mid}/resolutions").json()
    assert of_meeting["count"] == 1 and of_meeting["items"][0]["text"] == "物业每周清运"
    # Every sub-list of the meeting is paginated the one way.
    for part, count in (("participants", 1), ("statements", 1), ("motions", 1)):
        page = client.get(f"{API}/meetings/{mid}/{part}", {"page_size": 1}).json()
        assert set(page) == {"items", "count"} and page["count"] == count, (part, page)
        assert len(page["items"]) == 1
    assert client.get(f"{API}/meetings/{mid}/field-visits").json() == {"items": [], "count": 0}
    error(client.get(f"{API}/meetings/{mid}/statements", {"page_size": 201}), 422, "page_size")
    assert Vote.objects.count() == 1 and Statement.objects.count() == 1


def test_meeting_in_the_past_refused_nothing_written(client, world, topic, venue):
    as_user(client, world.staff)
    data = meeting_data(world, topic, venue, "2020-01-01T09:00:00+08:00", title="过去")
    error(post(client, "/meetings", data), 400, "starts_at")
    error(post(client, "/meetings", dict(data, form="party")), 422)
    assert not Meeting.objects.exists()


def test_only_conveners_staff_change_meetings_by_api(client, world, held):
    for who, status in (("street_officer", 403), ("staff2", 404), ("cppcc", 403)):
        as_user(client, getattr(world, who))
        error(
            post(client, f"/meetings/{held.pk}/participants", {"party": "resident", "name": "某"}),
            status,
        )
        error(post(client, f"/meetings/{held.pk}/close"), status)
        client.logout()
    assert held.participants.count() == 2


def test_participants_masked_for_those_who_only_look(client, world, held):
    as_user(client, world.street_officer)
    page = client.get(f"{API}/meetings/{held.pk}/participants").json()
    assert page["count"] == len(page["items"]) == 2
    rows = page["items"]
    resident = next(r for r in rows if r["name"] == "王大爷")
    assert resident["phone"] == "138****1111" and resident["sign_in_code"] is None


def test_secret_vote_by_api(client, world, held, topic):
    as_user(client, world.staff)
    motion = post(
        client,
        f"/meetings/{held.pk}/motions",
        {"text": "无记名", "topic": topic.pk, "secret": True},
    ).json()
    resident = held.participants.get(name="王大爷")
    error(
        post(
            client, f"/motions/{motion['id']}/votes", {"participant": resident.pk, "choice": "for"}
        ),
        403,
    )
    assert not Vote.objects.exists()
    assert not Resolution.objects.exists()


def test_lists_query_counts(client, world, django_assert_num_queries, held, topic):
    as_user(client, world.staff)
    client.get(API + "/meetings")
    with django_assert_num_queries(6):  # session, user, roles, count, meetings, topics
        response = client.get(API + "/meetings")
    assert response.json()["count"] == 1
    with django_assert_num_queries(6):  # session, user, roles, count, topics, issues
        client.get(API + "/topics")
    assert client.get(API + "/meetings", {"area": world.c1.parent.code}).json()["count"] == 1
    assert client.get(API + "/meetings", {"area": "NOPE"}).json()["count"] == 0


def test_control_characters_are_refused_not_a_server_error(client, world, held, topic):
    as_user(client, world.staff)
    error(post(client, "/topics", {"title": "议\x00题", "area": world.c1.code}), 400, "title")
    error(post(client, "/topics", {"title": "议题", "area": "C\x001"}), 400, "area")
    error(client.get(API + "/topics", {"area": "C\x001"}), 400, "area")
    error(post(client, f"/meetings/{held.pk}/statements", {"text": "a\x00b"}), 400, "text")
    error(post(client, f"/meetings/{held.pk}/sign-in", {"code": "12\x0034"}), 400, "code")
    assert not held.statements.exists()


def test_dates_out_of_range_are_refused(client, world, topic, venue):
    as_user(client, world.staff)
    data = meeting_data(world, topic, venue, "9999-12-31T23:00:00-12:00", title="遥远的会")
    error(post(client, "/meetings", data), 400, "starts_at")
    soon = (timezone.now() + timedelta(days=4)).isoformat()
    error(
        post(client, "/meetings", dict(data, starts_at=soon, ends_at="9999-12-31T23:00:00-12:00")),
        400,
        "ends_at",
    )
    assert not Meeting.objects.exists()


def test_ids_out_of_scope_or_unknown_are_refused_by_their_code(client, world, topic, venue):
    """A list of ids is taken whole: one another community's, or none at all, refuses the
    request and writes nothing; the same id twice counts once."""
    theirs = make_issue(world.c2, "二号社区的问题")
    mine = make_issue(world.c1, "一号社区的问题")
    as_user(client, world.staff)
    for issues in ([mine.pk, theirs.pk], [mine.pk, 2**62]):
        body = error(post(client, "/topics", {"title": "议题", "issues": issues}), 400, "issues")
        assert body["code"] == "unknown_issue"
    assert not Topic.objects.filter(title="议题").exists()
    created = post(client, "/topics", {"title": "议题", "issues": [mine.pk, mine.pk]})
    assert created.status_code == 201 and created.json()["issues"] == [mine.pk]
    others = Topic.objects.create(title="别处的议题", area=world.c2)
    starts = (timezone.now() + timedelta(days=5)).isoformat()
    data = meeting_data(world, topic, venue, starts, topics=[topic.pk, others.pk])
    assert error(post(client, "/meetings", data), 400, "topics")["code"] == "unknown_topic"
    assert error(post(client, "/meetings", dict(data, area="NOPE")), 400, "area")["code"] == (
        "unknown_area"
    )
    assert not Meeting.objects.exists()


def test_list_filters_combine_and_an_area_keeps_what_lies_under_it(client, world, held, topic):
    as_user(client, world.street_officer)
    Topic.objects.create(title="二号社区议题", area=world.c2)
    listed = client.get(API + "/topics", {"area": "C1"}).json()["items"]
    assert [row["title"] for row in listed] == [topic.title]
    under_street = client.get(API + "/topics", {"area": "S1"}).json()["count"]
    assert under_street == 2
    scheduled = client.get(API + "/topics", {"area": "S1", "status": "scheduled"}).json()
    assert [row["id"] for row in scheduled["items"]] == [topic.pk]
    assert client.get(API + "/meetings", {"area": "C2"}).json()["count"] == 0
    assert client.get(API + "/meetings", {"area": "C1", "form": "council"}).json()["count"] == 1
    assert client.get(API + "/meetings", {"form": "joint"}).json()["count"] == 0


def test_someone_outside_the_meeting_is_refused_alike_everywhere(client, world, held, topic):
    """One refusal for "not a participant": the statement and vote endpoints and the action
    give the same code and the same words."""
    as_user(client, world.staff)
    motion = post(client, f"/meetings/{held.pk}/motions", {"text": "表决", "topic": topic.pk})
    stranger = held.participants.order_by("-pk").first().pk + 1000
    by_statement = error(
        post(client, f"/meetings/{held.pk}/statements", {"text": "发言", "participant": stranger}),
        400,
        "participant",
    )
    by_vote = error(
        post(
            client,
            f"/motions/{motion.json()['id']}/votes",
            {"participant": stranger, "choice": "for"},
        ),
        400,
        "participant",
    )
    with pytest.raises(ActionError) as refused:
        participant_at(held, stranger)
    assert by_statement["code"] == by_vote["code"] == refused.value.code == "not_a_participant"
    assert by_statement["message"] == by_vote["message"] == str(refused.value.message)
    assert not held.statements.exists() and not Vote.objects.exists()
