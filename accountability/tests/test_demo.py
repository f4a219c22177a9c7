"""The demo: story 1 closed with its ratings, story 5 listed for next year; idempotent."""

import io
import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accountability import demo as demo_loader
from accountability.models import ActionItem
from concerns.tests.conftest import make_issue
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


def test_full_demo_lists_story_2_and_reads_in_order(demo, client):
    from concerns import demo as concerns_demo
    from concerns.models import Issue
    from consultations import demo as consultations_demo
    from timeline.models import Event

    concerns_demo.load(io.StringIO())
    consultations_demo.load(io.StringIO())
    out = io.StringIO()
    demo_loader.load(out)
    events = Event.objects.count()
    demo_loader.load(io.StringIO())
    assert Event.objects.count() == events  # idempotent

    today = timezone.localdate()
    items = {i.title: i for i in ActionItem.objects.filter(community__code=demo_loader.JCLW)}
    shops, ebikes, pets = (items[t] for t, *_ in demo_loader.STORY2_ITEMS)
    assert shops.status == ActionItem.Status.CLOSED and shops.evaluations.count() == 1
    assert shops.owner_organisation.name == "金凤区综合执法局"
    assert ebikes.owner_organisation.name == "金城蓝湾物业服务中心"
    for item in (ebikes, pets):
        assert item.status == ActionItem.Status.IN_PROGRESS and item.deadline > today
    for title in concerns_demo.STORY2_TITLES:
        assert Issue.objects.get(title=title).status != Issue.Status.IN_CONSULTATION
    # One item is done and waits for its resident's rating; the loader prints the code.
    fitness = items[demo_loader.FITNESS_ITEM]
    assert fitness.status == ActionItem.Status.DONE and not fitness.evaluations.exists()
    code = fitness.concerns().get().tracking_code
    assert code in out.getvalue()

    # Story 1 reads forward: received, accepted, met, listed, done, rated, verified, closed.
    water = Issue.objects.get(title=concerns_demo.YELLOW_WATER_TITLE)
    flushing = items[demo_loader.FLUSHING]
    meeting = Meeting.objects.get(title=consultations_demo.STORY1_MEETING)
    resolution = flushing.resolution
    assert water.first_received_at < water.accepted_at < resolution.topic.created_at
    assert resolution.topic.created_at < meeting.starts_at <= resolution.created_at
    assert resolution.created_at < flushing.listed_at < flushing.done_at < flushing.verified_at
    assert flushing.verified_at < flushing.closed_at <= water.settled_at < timezone.now()
    rated = flushing.evaluations.values_list("created_at", flat=True)
    assert flushing.done_at < min(rated) and max(rated) < flushing.verified_at
    page = client.get(
        reverse("accountability:story_code", args=[water.concerns.first().tracking_code])
    )
    times = [t.decode() for t in re.findall(rb"<time>([^<]+)</time>", page.content)]
    assert times and times == sorted(times)


def test_demo_rates_story_4_matters_settled_in_the_grid_but_the_latest(demo):
    from accountability.models import Evaluation
    from concerns import demo as concerns_demo
    from concerns.models import Issue

    concerns_demo.load(io.StringIO())
    out = io.StringIO()
    demo_loader.load(out)
    settled = list(
        Issue.objects.filter(
            community__code=demo_loader.JINSHAN,
            status=Issue.Status.SETTLED,
            level=Issue.Level.GRID,
        ).order_by("settled_at", "id")
    )
    assert len(settled) > 2
    for issue in settled[:-1]:
        rating = Evaluation.objects.get(issue=issue)
        assert rating.action_item is None and rating.created_at > issue.settled_at
    assert not Evaluation.objects.filter(issue=settled[-1]).exists()
    assert settled[-1].concerns.first().tracking_code in out.getvalue()
    demo_loader.load(io.StringIO())
    assert Evaluation.objects.filter(action_item__isnull=True).count() == len(settled) - 1
