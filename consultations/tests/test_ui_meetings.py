"""QA fixes: which issues are suggested as topics (小事不出网格), and the meeting pages' quorum
line, empty-agenda hint, message after saving and full-width colons."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from concerns.models import Issue
from concerns.tests.conftest import make_issue
from conftest import PASSWORD
from consultations import actions
from consultations.models import Meeting, Participant
from consultations.suggestions import suggested_topics

pytestmark = pytest.mark.django_db


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def in_grid(issue, **fields):
    Issue.objects.filter(pk=issue.pk).update(level=Issue.Level.GRID, **fields)
    return issue


def test_one_resident_matter_in_the_grid_is_not_suggested(world):
    now = timezone.now()
    lamp = in_grid(make_issue(world.c1, "楼道灯坏了", residents=1, grid=world.g1))
    shared = in_grid(make_issue(world.c1, "垃圾桶满了", residents=2, grid=world.g1))
    late = in_grid(
        make_issue(world.c1, "井盖松动", residents=1, grid=world.g1),
        resolve_due_at=now - timedelta(days=1),
    )
    community = make_issue(world.c1, "停车难", residents=1)
    titles = [s.title for s in suggested_topics(world.staff)]
    assert lamp.title not in titles
    assert sorted(titles) == sorted([shared.title, late.title, community.title])


def meeting_data(world, **kw):
    starts = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    return {
        "title": "楼道议事会",
        "form": "council",
        "area": world.c1.pk,
        "starts_at": starts,
        "place": "社区二楼",
        "notice_days": 3,
        "quorum": 0,
        "pass_rule": "majority",
    } | kw


def test_empty_agenda_hint_and_one_community_chosen(client, world):
    page = login(client, world.staff).get(reverse("consultations:meeting_new"))
    html = page.content.decode()
    assert "暂无可上会的议题，请先在议题页设立议题。" in html
    assert f'href="{reverse("consultations:topics")}"' in html
    assert page.context["form"]["area"].value() == world.c1.pk


def test_saved_draft_says_so_and_quorum_zero_is_not_met(client, world, topic):
    url = reverse("consultations:meeting_new")
    page = login(client, world.staff).get(url)
    assert "暂无可上会的议题" not in page.content.decode()
    response = client.post(url, meeting_data(world, topics=[topic.pk]))
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == ["已保存草稿。议程确定后请发布会议公告。"]
    meeting = Meeting.objects.get()
    html = client.get(reverse("consultations:meeting", args=[meeting.pk])).content.decode()
    assert "未设法定人数" in html and "达到法定人数" not in html


def test_shelving_reason_has_a_full_width_colon(client, world, topic):
    actions.shelve_topic(world.staff, topic, reason="已由物业解决")
    html = login(client, world.staff).get(reverse("consultations:topic", args=[topic.pk]))
    text = html.content.decode()
    assert "搁置理由</b>：已由物业解决" in text


def test_an_invited_person_sees_their_own_sign_in_code_and_nobody_else_does(
    world, client, announced
):
    mine = actions.invite_participant(
        world.staff,
        announced,
        party=Participant.Party.CPPCC_MEMBER,
        name="cppcc",
        user=world.cppcc,
    )
    other = actions.invite_participant(
        world.staff, announced, party=Participant.Party.RESIDENT, name="王大爷", phone="13800001111"
    )
    url = f"/consultations/meetings/{announced.pk}/"
    client.force_login(world.cppcc)
    html = client.get(url).content.decode()
    assert 'id="my-invitation"' in html and "您已受邀参加本次会议" in html
    assert f'data-testid="my-sign-in-code">{mine.sign_in_code}<' in html
    assert other.sign_in_code not in html
    # The convener sees every code in the table, but no invitation of their own.
    client.force_login(world.staff)
    html = client.get(url).content.decode()
    assert 'id="my-invitation"' not in html and mine.sign_in_code in html
    # Another member of the district, not invited: no code at all.
    client.force_login(world.district_officer)
    html = client.get(url).content.decode()
    assert 'id="my-invitation"' not in html
    assert mine.sign_in_code not in html and other.sign_in_code not in html
