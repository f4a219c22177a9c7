"""The demo loader: the seed's stories, loaded twice without adding anything."""

import io
from datetime import timedelta

from concerns import demo as demo_module
from concerns.models import Concern, Issue


def test_demo_loads_the_stories_and_is_idempotent(demo):
    from concerns import demo as loader

    loader.load(io.StringIO())
    counts = (Concern.objects.count(), Issue.objects.count())
    water = Issue.objects.get(title=loader.YELLOW_WATER_TITLE)
    assert water.residents_count == 12 and water.concerns_count == 13
    assert water.level == Issue.Level.COMMUNITY and water.is_open
    for title in loader.STORY2_TITLES:
        issue = Issue.objects.get(title=title)
        assert issue.residents_count == 1 and issue.is_open
    settled = Issue.objects.filter(
        community__code=loader.JINSHAN, status=Issue.Status.SETTLED, level=Issue.Level.GRID
    )
    assert settled.count() == len(loader.JINSHAN_SETTLED) > 10
    loader.load(io.StringIO())
    assert (Concern.objects.count(), Issue.objects.count()) == counts


def test_module_exposes_the_titles():
    assert demo_module.YELLOW_WATER_TITLE == "金城蓝湾二期自来水发黄"
    assert len(demo_module.STORY2_TITLES) == 3


def _when(issue, verb):
    from timeline.services import events_for

    return [e.created_at for e in events_for([issue]) if e.verb == verb]


def test_demo_story_dates_run_forward_with_categories_and_a_queue(demo):
    from django.utils import timezone

    from concerns import demo as loader

    loader.load(io.StringIO())
    water = Issue.objects.get(title=loader.YELLOW_WATER_TITLE)
    received = _when(water, "issue.opened") + _when(water, "issue.concern_added")
    (accepted,) = _when(water, "issue.accepted")
    (visited,) = _when(water, "issue.site_visit")
    (escalated,) = _when(water, "issue.escalated")
    # Reported six weeks ago, accepted within the time limit, then seen, then taken up.
    assert min(received) == water.first_received_at < accepted <= water.accept_due_at
    assert water.accepted_at == accepted < visited < escalated < timezone.now() - timedelta(days=30)
    assert water.first_received_at < timezone.now() - timedelta(days=40)
    assert water.category.name == "供水"
    for title in loader.STORY2_TITLES:
        issue = Issue.objects.get(title=title)
        assert issue.category is not None
        assert issue.first_received_at < issue.accepted_at < _when(issue, "issue.escalated")[0]
    # Exactly one story-2 issue was accepted late, so the response rate means something.
    late = [
        t
        for t in loader.STORY2_TITLES
        if (i := Issue.objects.get(title=t)).accepted_at > i.accept_due_at
    ]
    assert late == [loader.STORY2_TITLES[1]]
    assert not Concern.objects.filter(community__code=loader.JCLW, category=None).exists()
    # A newcomer finds a resident's concern waiting in 金城蓝湾第二网格.
    waiting = Concern.objects.get(content=loader.WAITING_TEXT).issue
    assert waiting.status == Issue.Status.NEW and waiting.grid.code == f"{loader.JCLW}G2"
    assert waiting.level == Issue.Level.GRID and waiting.residents_count == 1
    for issue in Issue.objects.filter(community__code=loader.JINSHAN):
        assert issue.accepted_at < issue.settled_at < timezone.now()
