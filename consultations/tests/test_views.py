"""The pages: staff pages in scope only, public notice and result without login, the
participant's phone page, and query counts on the lists."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concerns.tests.conftest import make_issue
from conftest import PASSWORD
from consultations import actions
from consultations.models import Meeting, Participant, Statement, Topic
from consultations.tests.conftest import plan_meeting

pytestmark = pytest.mark.django_db


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def published(world, held, topic):
    motion = actions.open_motion(
        world.staff, held, text="清理楼道", method="consensus", topic=topic
    )
    actions.close_motion(world.staff, motion)
    actions.record_resolution(
        world.staff,
        held,
        topic=topic,
        text="物业三日内清理楼道",
        organisations=[world.property_company],
        target_date=timezone.localdate() + timedelta(days=3),
    )
    actions.close_meeting(world.staff, held)
    return actions.publish_result(world.staff, held, summary="一致同意清理楼道。")


def test_topics_page_ranks_suggestions(client, world):
    make_issue(world.c1, "小事一桩", residents=1, grid=world.g1)
    make_issue(world.c1, "楼道堆物", residents=6, grid=world.g1, days_old=20)
    make_issue(world.c2, "别的社区", residents=50, grid=world.g3)
    response = login(client, world.staff).get(reverse("consultations:topics"))
    assert response.status_code == 200
    suggestions = response.context["suggestions"]
    assert [s.title for s in suggestions] == ["楼道堆物", "小事一桩"]
    assert suggestions[0].score(timezone.now()) == 8.0  # 6 residents + 20 days / 10


def test_suggestion_card_names_grids_only_when_there_are_some(client, world):
    make_issue(world.c1, "社区层面的问题", residents=3)  # no grid known
    make_issue(world.c1, "网格里的问题", residents=2, grid=world.g1)
    page = login(client, world.staff).get(reverse("consultations:topics")).content.decode()
    first, second = page.split("社区层面的问题", 1)[1].split("网格里的问题", 1)
    assert "3位居民" in first and "个网格" not in first
    assert "2位居民 · 1个网格" in second


def test_suggestion_spread_across_grids_counts(world):
    from concerns.models import Category
    from consultations.suggestions import suggested_topics

    water = Category.objects.create(code="test-water", name="测试供水")
    a = make_issue(world.c1, "一网格黄水", residents=2, grid=world.g1, days_old=0)
    b = make_issue(world.c1, "二网格黄水", residents=2, grid=world.g2, days_old=0)
    single = make_issue(world.c1, "噪音", residents=5, grid=world.g1, days_old=0)
    for issue in (a, b):
        issue.category = water
        issue.save()
    ranked = suggested_topics(world.staff)
    assert ranked[0].issues == [a, b] and ranked[0].grids == 2
    assert ranked[0].score(timezone.now()) == 6.0 > ranked[1].score(timezone.now()) == 5.0
    assert ranked[1].issues == [single]
    actions.create_topic(world.staff, title="黄水", issues=[a, b])
    assert [s.issues for s in suggested_topics(world.staff)] == [[single]]
    assert suggested_topics(world.district_officer) == []


def test_make_topic_from_suggestion(client, world):
    issue = make_issue(world.c1, "楼道堆物", residents=4, grid=world.g1)
    response = login(client, world.staff).post(
        reverse("consultations:topic_create"), {"issues": [issue.pk], "title": "楼道堆物清理"}
    )
    topic = Topic.objects.get()
    assert response.url == reverse("consultations:topic", args=[topic.pk])
    assert topic.residents_count == 4


def test_topic_pages_scope(client, world, topic):
    url = reverse("consultations:topic", args=[topic.pk])
    assert login(client, world.staff2).get(url).status_code == 404
    client.logout()
    assert login(client, world.district_officer).get(url).status_code == 200
    accept = reverse("consultations:topic_action", args=[topic.pk, "accept"])
    assert client.post(accept).status_code == 403
    client.logout()
    assert login(client, world.staff).post(accept).status_code == 302
    topic.refresh_from_db()
    assert topic.status == Topic.Status.ACCEPTED


def test_shelve_without_reason_shows_error_beside_field(client, world, topic):
    url = reverse("consultations:topic_action", args=[topic.pk, "shelve"])
    response = login(client, world.staff).post(url, {"reason": ""})
    assert response.status_code == 400
    assert response.context["shelve_form"].errors["reason"]
    topic.refresh_from_db()
    assert topic.status == Topic.Status.PROPOSED


def test_public_topic_support_once(client, world, topic):
    url = reverse("consultations:topic_public", args=[topic.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"phone": "13800001111"}).status_code == 302
    again = client.post(url, {"phone": "13800001111"})
    assert again.status_code == 409
    topic.refresh_from_db()
    assert topic.supporters_count == 1


def test_meeting_new_form(client, world, topic, venue):
    starts = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "title": "楼道议事会",
        "form": "council",
        "area": world.c1.pk,
        "starts_at": starts,
        "venue": venue.pk,
        "notice_days": 3,
        "quorum": 3,
        "pass_rule": "majority",
        "topics": [topic.pk],
    }
    response = login(client, world.staff).post(reverse("consultations:meeting_new"), data)
    meeting = Meeting.objects.get()
    assert response.url == reverse("consultations:meeting", args=[meeting.pk])
    past = dict(data, starts_at="2020-01-01T09:00", title="过去")
    response = client.post(reverse("consultations:meeting_new"), past)
    assert response.status_code == 400
    assert response.context["form"].errors["starts_at"]
    assert Meeting.objects.count() == 1


def test_meeting_page_and_actions_scope(client, world, held):
    url = reverse("consultations:meeting", args=[held.pk])
    assert login(client, world.staff2).get(url).status_code == 404
    client.logout()
    login(client, world.street_officer)
    page = client.get(url)
    assert page.status_code == 200
    assert "13800001111" not in page.content.decode()  # masked for those who only look
    invite = reverse("consultations:meeting_action", args=[held.pk, "invite"])
    assert client.post(invite, {"party": "resident", "name": "路人"}).status_code == 403
    client.logout()
    login(client, world.staff)
    page = client.get(url)
    assert "13800001111" in page.content.decode()
    assert client.post(invite, {"party": "resident", "name": "李阿姨"}).status_code == 302
    assert held.participants.filter(name="李阿姨").exists()


def test_meeting_action_error_beside_the_field(client, world, held):
    url = reverse("consultations:meeting_action", args=[held.pk, "resolution"])
    response = login(client, world.staff).post(url, {"text": "没有议题的成果"})
    assert response.status_code == 400
    assert response.context["resolution_form"].errors["topic"]
    assert not held.resolutions.exists()


def test_staff_records_vote_then_count_and_publish(client, world, held, topic):
    login(client, world.staff)
    act = lambda name: reverse("consultations:meeting_action", args=[held.pk, name])  # noqa: E731
    client.post(act("motion"), {"text": "物业每周清运", "method": "vote", "topic": topic.pk})
    motion = held.motions.get()
    for person in held.participants.all():
        client.post(act("vote"), {"motion": motion.pk, "participant": person.pk, "choice": "for"})
    twice = client.post(
        act("vote"), {"motion": motion.pk, "participant": person.pk, "choice": "for"}
    )
    assert twice.status_code == 409
    client.post(act("close-motion"), {"motion": motion.pk, "agreed": "on"})
    motion.refresh_from_db()
    assert (motion.votes_for, motion.outcome) == (2, "adopted")
    client.post(act("resolution"), {"topic": topic.pk, "text": "物业每周清运一次"})
    client.post(act("close"))
    client.post(act("publish-result"), {"summary": "表决通过。"})
    held.refresh_from_db()
    assert held.status == Meeting.Status.PUBLISHED


def test_public_notice_and_result_without_login(client, world, held, topic):
    notice = reverse("consultations:notice", args=[held.pk])
    result = reverse("consultations:result", args=[held.pk])
    assert client.get(notice).status_code == 200
    assert client.get(result).status_code == 404  # not published yet
    published(world, held, topic)
    page = client.get(result).content.decode()
    assert "物业三日内清理楼道" in page and world.property_company.name in page
    assert "王大爷" not in page  # residents are named by party only
    community = client.get(reverse("yishi:community", args=[world.c1.code])).content.decode()
    assert result in community


def test_draft_is_not_public(client, world, topic, venue):
    meeting = plan_meeting(
        world,
        title="草稿",
        form="council",
        starts_in=timedelta(days=5),
        venue=venue,
        topics=[topic],
    )
    assert client.get(reverse("consultations:notice", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("consultations:join", args=[meeting.pk])).status_code == 404


def test_participant_phone_page(client, world, announced, topic):
    me = actions.invite_participant(world.staff, announced, party="resident", name="王大爷")
    other = actions.invite_participant(world.staff, announced, party="resident", name="李阿姨")
    url = reverse("consultations:join", args=[announced.pk])
    refused = client.post(url, {"step": "statement", "text": "未签到发言"})
    assert refused.status_code == 403
    wrong = client.post(url, {"step": "sign-in", "code": "abc"})
    assert wrong.status_code == 400
    assert client.post(url, {"step": "sign-in", "code": me.sign_in_code}).status_code == 302
    assert (
        client.post(
            url, {"step": "statement", "text": "支持清理", "kind": "statement", "topic": topic.pk}
        ).status_code
        == 302
    )
    statement = Statement.objects.get()
    assert statement.participant == me
    # The session is this participant's: posting as someone else is not possible here.
    reused = client.__class__().post(url, {"step": "sign-in", "code": me.sign_in_code})
    assert reused.status_code == 409
    assert not Participant.objects.get(pk=other.pk).signed_in


def test_sign_in_code_guessing_is_limited(client, world, announced):
    url = reverse("consultations:join", args=[announced.pk])
    for _ in range(10):
        client.post(url, {"step": "sign-in", "code": "999999x"[:6]})
    assert client.post(url, {"step": "sign-in", "code": "999999"}).status_code == 429


def test_minutes_print_layout(client, world, held, topic):
    published(world, held, topic)
    page = login(client, world.staff).get(reverse("consultations:minutes", args=[held.pk]))
    assert page.status_code == 200
    assert "物业三日内清理楼道" in page.content.decode()


def test_workbench_panel(client, world, topic):
    page = login(client, world.staff).get(reverse("yishi:workbench")).content.decode()
    assert 'id="consultations-panel"' in page


def _meetings(world, n):
    venue_meetings = []
    for i in range(n):
        topic = actions.create_topic(world.staff, title=f"议题{i}", area=world.c1)
        meeting = plan_meeting(
            world,
            title=f"会议{i}",
            form="council",
            starts_in=timedelta(days=5),
            place="社区活动室",
            topics=[topic],
            notice_days=1,
        )
        actions.invite_participant(world.staff, meeting, party="resident", name=f"居民{i}")
        actions.publish_notice(world.staff, meeting)
        venue_meetings.append(meeting)
    return venue_meetings


@pytest.mark.parametrize("n", [1, 6])
def test_meetings_list_query_count(client, world, django_assert_num_queries, n):
    _meetings(world, n)
    login(client, world.staff)
    client.get(reverse("consultations:meetings"))  # warm the session and scope
    # session, user, roles (scope), meetings: the same whatever the number of meetings
    with django_assert_num_queries(4):
        response = client.get(reverse("consultations:meetings"))
    assert len(response.context["meetings"]) == n


@pytest.mark.parametrize("n", [1, 6])
def test_topics_list_query_count(client, world, django_assert_num_queries, n):
    for i in range(n):
        make_issue(world.c1, f"问题{i}", residents=i + 1, grid=world.g1)
        actions.create_topic(world.staff, title=f"议题{i}", area=world.c1)
    login(client, world.staff)
    # session, user, roles, topics, suggested issues, areas of the direct-topic form
    with django_assert_num_queries(6):
        response = client.get(reverse("consultations:topics"))
    assert len(response.context["suggestions"]) == n


@pytest.mark.parametrize("n", [1, 6])
def test_community_section_query_count(client, world, django_assert_num_queries, n):
    _meetings(world, n)
    # area, ancestors… then: upcoming, published, topics (plus each other app's section)
    from django.test import RequestFactory

    from consultations.public import community_section

    request = RequestFactory().get("/")
    with django_assert_num_queries(3):
        html = community_section(request, world.c1)
    assert html.count("/notice/") == n


def test_reschedule_past_date_error_beside_field(client, world, announced):
    url = reverse("consultations:meeting_action", args=[announced.pk, "reschedule"])
    response = login(client, world.staff).post(url, {"starts_at": "2020-01-01T09:00"})
    assert response.status_code == 400
    assert response.context["reschedule_form"].errors["starts_at"]


def test_bad_ids_in_forms_are_4xx(client, world, held):
    login(client, world.staff)
    vote = reverse("consultations:meeting_action", args=[held.pk, "vote"])
    for bad in ("abc", "99999999999999999999999", "-1"):
        response = client.post(vote, {"motion": bad, "participant": bad, "choice": "for"})
        assert response.status_code == 400
    client.logout()
    join = reverse("consultations:join", args=[held.pk])
    assert client.post(join, {"step": "vote", "motion": "abc"}).status_code == 403
    login(client, world.staff)
    response = client.post(reverse("consultations:topic_create"), {"issues": ["9" * 30]})
    assert response.status_code == 400


def test_ids_beyond_the_database_are_404(client, world):
    huge = "9" * 25
    for url in (
        f"/consultations/m/{huge}/notice/",
        f"/consultations/m/{huge}/result/",
        f"/consultations/m/{huge}/join/",
        f"/consultations/t/{huge}/",
    ):
        assert client.get(url).status_code == 404
    login(client, world.staff)
    for url in (
        f"/consultations/meetings/{huge}/",
        f"/consultations/topics/{huge}/",
        f"/consultations/meetings/{huge}/minutes/",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/consultations/meetings/{huge}/do/close/").status_code == 404


def test_topic_and_meeting_lists_filter_by_status_and_say_which(client, world, announced, topic):
    login(client, world.staff)
    Topic.objects.create(title="另一个议题", area=world.c1)
    for url, status, shown, hidden in (
        ("consultations:topics", "scheduled", topic.title, "另一个议题"),
        ("consultations:topics", "proposed", "另一个议题", topic.title),
        ("consultations:meetings", "announced", announced.title, None),
        ("consultations:meetings", "draft", None, announced.title),
    ):
        html = client.get(reverse(url), {"status": status}).content.decode()
        filters = html[html.index('<form class="filters"') :]
        filters = filters[: filters.index("</form>")]
        assert f'<option value="{status}" selected>' in filters
        assert filters.count(" selected>") == 1
        assert shown is None or shown in html
        assert hidden is None or hidden not in html


def test_the_page_forms_post_their_fields_to_their_actions(client, world, held, topic):
    """Each form's fields reach its action as they are named: a statement, a motion, a field
    visit, recorded with what was typed; a form missing its text comes back (400)."""
    login(client, world.staff)
    act = lambda name: reverse("consultations:meeting_action", args=[held.pk, name])  # noqa: E731
    speaker = held.participants.first()
    said = {"participant": speaker.pk, "topic": topic.pk, "kind": "proposal", "text": "每周清运"}
    assert client.post(act("statement"), said).status_code == 302
    statement = held.statements.get()
    assert (statement.participant, statement.topic, statement.kind, statement.text) == (
        speaker,
        topic,
        Statement.Kind.PROPOSAL,
        "每周清运",
    )
    assert statement.recorded_by == world.staff
    motion = {"text": "清运", "method": "vote", "topic": topic.pk, "secret": "on"}
    assert client.post(act("motion"), motion).status_code == 302
    assert held.motions.filter(text="清运", method="vote", topic=topic, secret=True).exists()
    visit = {
        "place": "3号楼楼道",
        "visited_on": timezone.localdate().isoformat(),
        "findings": "堆满杂物",
    }
    assert client.post(act("visit"), visit).status_code == 302
    assert held.field_visits.filter(place="3号楼楼道", findings="堆满杂物").exists()
    assert client.post(act("statement"), {"kind": "statement"}).status_code == 400
