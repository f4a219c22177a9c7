"""The demo loader: the seed's stories, loaded twice without adding anything."""

import io

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
