"""Tallies of closed months give exactly the figures of the raw rows, and stay exact when old
data changes: every comparison below computes the same dashboard twice, once reading the
tallies (insights/tallies.py) and once from the raw rows alone, and asks for equality."""

import io
import random
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from accountability.models import ActionItem
from concerns import actions
from concerns.intake import submit as intake
from concerns.models import Category, Concern, Issue
from insights import cache, metrics, tallies
from insights.models import IssueTally, Version
from places.models import Area
from timeline.services import record


def fresh_overdue(communities, now, limit):
    counted = metrics.overdue_by_community(communities, now, limit)
    return {c: (n, rows) for c, (n, rows, _until) in counted.items()}


def raw_dashboard(area, period, now):
    """The figures with every row read raw (no month counts as closed, overdue issues
    counted afresh)."""
    with (
        mock.patch.object(tallies, "closed_months", return_value=[]),
        mock.patch.object(tallies, "overdue_snapshots", side_effect=fresh_overdue),
    ):
        return metrics.dashboard(area, period, now=now)


def periods(today):
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    five_back = tallies.first_of_month(first - timedelta(days=140))
    return [
        metrics.Period.parse(None, None, today=today),  # the last twelve months
        metrics.Period(five_back, last_month_end),  # whole closed months only
        metrics.Period(five_back + timedelta(days=14), last_month_end - timedelta(days=9)),
        metrics.Period(first - timedelta(days=40), today),  # drawn day by day: all raw
    ]


def assert_same_figures(world, now, areas=None):
    """Every area and period: tallied figures == raw figures, and tallies were used."""
    today = timezone.localdate(now)
    for area in areas or (world.district, world.street, world.c1, world.c2, world.g1, world.g3):
        for period in periods(today):
            tallied = metrics.dashboard(area, period, now=now)
            assert tallied == raw_dashboard(area, period, now), (area.code, period)
    assert IssueTally.objects.exists()
    assert Version.objects.filter(concerns__total__gt=0).exists()


def random_data(world, now: datetime, *, seed: int = 7, issues: int = 90) -> list[Issue]:
    """Issues and concerns scattered over the last eight months, every status and level,
    accepted in time, late or not at all, some concerns spilling into the next month."""
    rng = random.Random(seed)
    categories = [*Category.objects.order_by("pk")[:4], None]
    places = [(world.c1, world.g1), (world.c1, world.g2), (world.c1, None), (world.c2, world.g3)]
    made = []
    for n in range(issues):
        community, grid = rng.choice(places)
        received = now - timedelta(days=rng.randint(1, 240), hours=rng.randint(0, 23))
        accepted = rng.choice([None, received + timedelta(hours=rng.randint(1, 60))])
        issue = Issue.objects.create(
            community=community,
            grid=grid,
            category=rng.choice(categories),
            title=f"问题{n}",
            status=rng.choice(Issue.Status.values),
            level=rng.choice(Issue.Level.values),
            first_received_at=received,
            last_received_at=received + timedelta(days=2),
            accept_due_at=rng.choice([None, received + timedelta(hours=24)]),
            resolve_due_at=received + timedelta(days=7),
            accepted_at=accepted if accepted is None or accepted < now else None,
            residents_count=rng.randint(1, 9),
            concerns_count=3,
        )
        made.append(issue)
        for k in range(rng.randint(1, 3)):
            Concern.objects.create(
                tracking_code=f"R{n:04d}{k}",
                issue=issue,
                community=community,
                grid=grid,
                channel=rng.choice(Concern.Channel.values),
                category=rng.choice(categories),
                content="楼道灯坏了",
                resident_key=f"tel:1380000{n:04d}",
                received_at=received + timedelta(hours=k * rng.randint(0, 30)),
            )
    return made


@pytest.mark.django_db
def test_tallied_figures_equal_the_raw_ones(world):
    now = timezone.now()
    random_data(world, now)
    assert_same_figures(world, now)
    # Read again: from the tallies and snapshots alone, nothing counted twice.
    period = metrics.Period.parse(None, None)
    for area in (world.district, world.c1):
        with (
            mock.patch.object(tallies, "rollup", side_effect=AssertionError("counted again")),
            mock.patch.object(metrics, "overdue_by_community", side_effect=AssertionError),
        ):
            tallied = metrics.dashboard(area, period, now=now)
        assert tallied == raw_dashboard(area, period, now)
    # A week later: more issues are overdue, and the snapshots know it.
    assert_same_figures(world, now + timedelta(days=7))


def stale_months(community) -> set:
    return {
        v.month
        for v in Version.objects.filter(community=community.pk).exclude(month=tallies.DASHBOARDS)
        if v.tallied != v.version
    }


@pytest.mark.django_db
def test_old_data_changed_through_the_actions_is_counted_again(
    world, django_capture_on_commit_callbacks
):
    now = timezone.now()
    made = random_data(world, now, seed=11)
    assert_same_figures(world, now)
    assert stale_months(world.c1) == set()
    this_month = tallies.current_month()
    admin = world.admin

    def registered_late(content, channel, received):
        """A concern received earlier, registered now: its month is stale until counted
        again, and the figures are the same either way."""
        with django_capture_on_commit_callbacks(execute=True):
            intake.submit_concern(
                community=world.c1,
                content=content,
                channel=channel,
                actor=admin,
                received_at=received,
            )
        assert tallies.month_of(received) in stale_months(world.c1)
        assert_same_figures(world, timezone.now())

    # A concern from a paper register of last year, imported today.
    received = now - timedelta(days=200)
    registered_late("去年的来信：小区门口路灯不亮", Concern.Channel.IMPORT, received)

    # Yesterday's visit, registered today (this month is tallied up to today).
    received = timezone.now() - timedelta(days=1)
    registered_late("昨天来访：电梯经常停运", Concern.Channel.VISIT, received)

    # Two open issues merged: the later one now starts in the earlier one's month.
    c1_open = sorted(
        (
            i
            for i in made
            if i.community_id == world.c1.pk
            and i.status in Issue.OPEN_STATUSES
            and tallies.month_of(i.first_received_at) < this_month
        ),
        key=lambda i: i.first_received_at,
    )
    early, late = c1_open[0], c1_open[-1]
    assert tallies.month_of(early.first_received_at) < tallies.month_of(late.first_received_at)
    with django_capture_on_commit_callbacks(execute=True):
        actions.merge_issues(early, into=late, actor=admin)
    late.refresh_from_db()
    assert late.first_received_at == early.first_received_at
    assert_same_figures(world, timezone.now())

    # A concern moved between two issues of the community.
    concern = Concern.objects.filter(issue=late).first()
    target = c1_open[1]
    with django_capture_on_commit_callbacks(execute=True):
        actions.move_concern(concern, to=target, actor=admin)
    assert_same_figures(world, timezone.now())

    # An issue of a closed month accepted and settled long after.
    old = next(i for i in c1_open[2:-1] if i.status == Issue.Status.NEW)
    with django_capture_on_commit_callbacks(execute=True):
        actions.accept_issue(old, actor=admin)
    assert tallies.month_of(old.first_received_at) in stale_months(world.c1)
    assert_same_figures(world, timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        actions.settle_issue(old, actor=admin, outcome="已修好")
    assert_same_figures(world, timezone.now())


@pytest.mark.django_db
def test_a_new_concern_of_this_month_leaves_the_tallies_alone(
    world, django_capture_on_commit_callbacks
):
    now = timezone.now()
    random_data(world, now, issues=30)
    assert_same_figures(world, now, areas=[world.c1])
    before = dict(Version.objects.exclude(month=tallies.DASHBOARDS).values_list("pk", "version"))
    with django_capture_on_commit_callbacks(execute=True):
        intake.submit_concern(
            community=world.c1, content="今天楼道灯又坏了", channel="phone", actor=world.admin
        )
    after = dict(Version.objects.exclude(month=tallies.DASHBOARDS).values_list("pk", "version"))
    assert after == before
    assert_same_figures(world, timezone.now(), areas=[world.c1])


@pytest.mark.django_db
def test_a_month_is_counted_again_when_an_unaccepted_issue_becomes_due(world):
    now = timezone.now()
    random_data(world, now, issues=20)
    last_month = tallies.first_of_month(tallies.current_month() - timedelta(days=1))
    received = tallies._at(last_month) + timedelta(days=3)
    # Received last month, given a long time to accept that runs out tomorrow.
    Issue.objects.create(
        community=world.c1,
        grid=world.g1,
        title="等待受理",
        first_received_at=received,
        last_received_at=received,
        accept_due_at=now + timedelta(days=1),
    )
    assert_same_figures(world, now, areas=[world.c1])
    version = Version.objects.get(community=world.c1.pk, month=last_month)
    assert version.due_changes_at == now + timedelta(days=1)
    later = now + timedelta(days=2)
    before = metrics.rates(
        metrics.Scope.of(world.c1), metrics.Period(last_month, last_month.replace(day=28)), now=now
    )
    assert_same_figures(world, later, areas=[world.c1])
    after = metrics.rates(
        metrics.Scope.of(world.c1),
        metrics.Period(last_month, last_month.replace(day=28)),
        now=later,
    )
    assert after["response"].denominator == before["response"].denominator + 1


@pytest.mark.django_db
def test_the_listener_writes_one_statement_per_event_and_reads_nothing(
    world, django_assert_num_queries
):
    now = timezone.now()
    month = tallies.current_month()
    for _ in range(3):
        month = tallies.first_of_month(month - timedelta(days=1))
    old = tallies._at(month) + timedelta(days=5)  # three closed months ago
    issue = Issue.objects.create(
        community=world.c1, title="旧问题", first_received_at=old, last_received_at=old
    )
    concern = Concern.objects.create(
        tracking_code="L1",
        issue=issue,
        community=world.c1,
        channel="phone",
        content="旧诉求",
        resident_key="tel:1",
        received_at=now,
    )
    item = ActionItem.objects.create(
        community=world.c1,
        title="挂牌事项",
        owner_organisation=world.property_company,
        listed_at=now,
        deadline=now.date(),
    )
    metrics.dashboard(world.c1, metrics.Period.parse(None, None))  # months tallied
    tallies.dashboard_versions([tallies.EVERYTHING, world.c1.pk])
    for subject in (concern, issue, item, world.district):
        event = record(subject, "issue.accepted")
        with django_assert_num_queries(1) as captured:
            cache.on_event_committed(sender=None, event=event)
        assert captured.captured_queries[0]["sql"].startswith("UPDATE")
    # The issue's month and every later one are stale; the concern of today touched none.
    tallied = Version.objects.filter(community=world.c1.pk).exclude(month=tallies.DASHBOARDS)
    expected = {m for m in tallied.values_list("month", flat=True) if m >= tallies.month_of(old)}
    # Three closed months, and this month up to today (except on the first of a month).
    assert len(expected) == 3 + (timezone.localdate().day > 1)
    assert stale_months(world.c1) == expected


@pytest.mark.django_db
def test_tally_insights_counts_every_closed_month_once(world):
    random_data(world, timezone.now(), issues=20)
    out = io.StringIO()
    call_command("tally_insights", "--months", "12", stdout=out)
    communities = Area.objects.filter(kind=Area.Kind.COMMUNITY).count()
    months = 12 + (timezone.localdate().day > 1)  # and this month up to today
    assert out.getvalue().startswith(f"{months * communities} community-months counted")
    out = io.StringIO()
    call_command("tally_insights", "--months", "12", stdout=out)
    assert out.getvalue().startswith("0 community-months counted")


@pytest.mark.django_db
def test_a_submit_marks_its_community_stale_once(world, django_capture_on_commit_callbacks):
    """A concern and the issue it joins are one change: one UPDATE of the community's rows."""
    from concerns.intake.submit import submit_concern
    from timeline.models import Event

    tallies.dashboard_versions([tallies.EVERYTHING, world.c1.pk])
    before = Version.objects.get(community=world.c1.pk, month=tallies.DASHBOARDS).version
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
    ):
        submit_concern(community=world.c1, content="自来水发黄", channel="web", phone="13800000001")
    assert Event.objects.count() == 3  # issue opened, concern received, concern added
    bumps = [q["sql"] for q in captured.captured_queries if "insights_version" in q["sql"]]
    assert len(bumps) == 1 and bumps[0].startswith("UPDATE")
    assert Version.objects.get(community=world.c1.pk, month=tallies.DASHBOARDS).version != before
