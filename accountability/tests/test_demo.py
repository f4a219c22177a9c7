"""The demo: story 1 closed with its ratings, story 5 listed for next year; idempotent."""

import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accountability import demo as demo_loader
from accountability.models import ActionItem
from accountability.tests.conftest import make_issue
from consultations.models import Meeting, Resolution, Topic
from places.models import Area


def _resolution(area, topic_title, text, issues=()):
    topic = Topic.objects.create(title=topic_title, area=area)
    topic.issues.set(issues)
    meeting = Meeting.objects.create(
        title=f"{topic_title}会议",
        area=area,
        starts_at=timezone.now() - timedelta(days=30),
        status=Meeting.Status.PUBLISHED,
    )
    meeting.topics.add(topic)
    return Resolution.objects.create(meeting=meeting, topic=topic, text=text)


def test_demo_skips_without_earlier_steps_and_plays_the_stories_when_present(demo, client):
    out = io.StringIO()
    demo_loader.load(out)
    assert not ActionItem.objects.exists()
    assert "skipped" in out.getvalue()

    jclw = Area.objects.get(code="640106001001")
    yhw = Area.objects.get(code="640106002001")
    issue = make_issue(jclw, "金城蓝湾二期自来水发黄", residents=12)
    _resolution(jclw, "自来水发黄议题", "冲洗二次供水管道和楼顶水箱", [issue])
    district = Area.objects.get(code="640106")
    _resolution(district, "商务区体育设施", "在金水园广场建设多功能篮球场")
    _resolution(district, "商务区儿童设施", "在U型水广场增设儿童游乐设施")

    for _run in range(2):
        demo_loader.load(io.StringIO())
    flushing = ActionItem.objects.get(title=demo_loader.FLUSHING)
    assert flushing.status == ActionItem.Status.CLOSED
    assert flushing.evaluations.count() == 12
    court = ActionItem.objects.get(title=demo_loader.COURT)
    play = ActionItem.objects.get(title=demo_loader.PLAY)
    next_year = timezone.localdate().year + 1
    for item in (court, play):
        assert item.community == yhw
        assert item.status in (ActionItem.Status.LISTED, ActionItem.Status.IN_PROGRESS)
        assert item.deadline.year == next_year
        assert item.owner_organisation.name == "金凤区文化旅游体育广电局"
    assert ActionItem.objects.count() == 3
    # A visitor reaches the board from the home page without logging in.
    home = client.get("/").content.decode()
    assert reverse("yishi:community", args=[yhw.code]) in home
    board = client.get(reverse("accountability:board", args=[yhw.code])).content.decode()
    assert demo_loader.COURT in board and demo_loader.PLAY in board
    board = client.get(reverse("accountability:board", args=[jclw.code])).content.decode()
    assert demo_loader.FLUSHING in board
