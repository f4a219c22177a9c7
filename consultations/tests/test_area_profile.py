"""Story 5 as the newspaper tells it: the consultation on the parks' sports facilities is
prepared with the business district's facts, and its topic and meeting pages show them."""

import io
import re

import pytest
from django.urls import reverse

from accounts.models import User
from consultations import demo as consultations_demo
from consultations.models import Meeting, Topic

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", response.content.decode()))


@pytest.fixture
def story5(demo):
    consultations_demo.load(io.StringIO())
    meeting = Meeting.objects.get(title=consultations_demo.STORY5_MEETING)
    return meeting, Topic.objects.get(title="增加阅海湾商务区公园内体育健身设施")


def reads_like_the_newspaper(page: str) -> None:
    # "商务区常住人口近2万人"；"建成并投运企业楼宇45栋，累计引入各类企业2738余家"
    assert "区域概况·阅海湾社区（阅海湾商务区）" in page
    assert "常住人口近2万人2026-06·阅海湾商务区管委会" in page
    assert "企业楼宇45栋" in page
    assert "入驻企业2738余家" in page
    # "建成了金水园(容水公园)、金凤园(中央公园)、水上公园以及团结路景观轴四大公园"
    for park in ("金水园（容水公园）", "金凤园（中央公园）", "水上公园", "团结路景观轴"):
        assert park in page
    # 新华联, 鸿曦悦海湾 and 世茂 are in Yishi's register: counted, not typed in.
    assert "小区3个按平台登记数据统计" in page


def test_story5_public_pages_show_the_business_districts_profile(client, story5):
    meeting, topic = story5
    assert topic.area.name == "阅海湾社区" and topic.public
    reads_like_the_newspaper(
        text(client.get(reverse("consultations:topic_public", args=[topic.pk])))
    )
    reads_like_the_newspaper(text(client.get(reverse("consultations:result", args=[meeting.pk]))))
    reads_like_the_newspaper(text(client.get(reverse("yishi:community", args=[topic.area.code]))))


def test_story5_staff_pages_show_it_too(client, story5):
    meeting, topic = story5
    client.force_login(User.objects.get(username="staff_yhw"))
    reads_like_the_newspaper(text(client.get(reverse("consultations:topic", args=[topic.pk]))))
    reads_like_the_newspaper(text(client.get(reverse("consultations:meeting", args=[meeting.pk]))))


def test_a_meeting_of_an_area_without_a_profile_shows_no_panel(client, story5):
    other = Meeting.objects.get(title=consultations_demo.STORY6_MEETING)  # 彭阳县: a county
    assert "区域概况" not in text(client.get(reverse("consultations:result", args=[other.pk])))
