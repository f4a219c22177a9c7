"""Each rate worked out by hand on the small March data set (see factories.py)."""

from datetime import date

import pytest

from concerns.models import Issue
from core.errors import ActionError
from insights import metrics
from insights.tests.factories import NOW, march_data_set

MARCH = metrics.Period(date(2026, 3, 1), date(2026, 3, 31))


def figures_for(area):
    return metrics.rates(metrics.Scope.of(area), MARCH, now=NOW)


# (area, 响应率, 解决率, 小事不出网格率) as (counted, out of), worked out in factories.py.
BY_HAND = [
    # 响应率: A, D, E accepted in time; B late; C never; J not yet due (left out).
    # 解决率: A settled, B resolved, E settled, out of A B C D E J (F merged, G February).
    # 小事不出网格率: A and E settled by the grid, out of the three solved.
    ("c1", (3, 5), (3, 6), (2, 3)),
    # A street adds up its communities (c1 and c2's H).
    ("street", (4, 6), (4, 7), (2, 4)),
    # The other district's issue I is never counted.
    ("district", (4, 6), (4, 7), (2, 4)),
    # g1 holds A, B, E, J: B was accepted late, J is not yet due.
    ("g1", (2, 3), (3, 4), (2, 3)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("area", "response", "resolution", "grid"), BY_HAND)
def test_rates_by_hand(world, area, response, resolution, grid):
    march_data_set(world)
    rates = figures_for(getattr(world, area))
    counted = {key: (rates[key].numerator, rates[key].denominator) for key in rates}
    assert (counted["response"], counted["resolution"], counted["grid"]) == (
        response,
        resolution,
        grid,
    )


@pytest.mark.django_db
def test_rates_are_shown_to_one_decimal_and_none_without_ratings(world):
    march_data_set(world)
    rates = figures_for(world.c1)
    assert rates["response"].value == 60.0
    assert rates["resolution"].value == 50.0
    assert rates["grid"].value == 66.7
    assert rates["grid"].display == "66.7%"
    assert figures_for(world.street)["resolution"].value == 57.1
    # Nobody has rated anything yet: no rate rather than 0%.
    assert rates["satisfaction"].value is None
    assert rates["satisfaction"].display == "—"


@pytest.mark.django_db
def test_counts_by_channel_status_level_and_children(world):
    march_data_set(world)
    figures = metrics.dashboard(world.street, MARCH, now=NOW)
    concerns = figures["concerns"]
    # c1: A 2, B 1, C 1, D 3, E 1, J 1; c2: H 1.
    assert concerns["total"] == 10
    channels = {c["key"]: c["total"] for c in concerns["channels"]}
    assert channels == {"phone": 8, "wechat": 1, "visit": 1}
    assert len(concerns["buckets"]) == 31  # a month is drawn day by day
    phone = next(c for c in concerns["channels"] if c["key"] == "phone")
    assert phone["counts"][19] == 3  # D's three concerns on 20 March
    statuses = {s["key"]: s["count"] for s in figures["issues"]["statuses"]}
    assert statuses["settled"] == 3 and statuses["resolved"] == 1 and statuses["new"] == 2
    assert "merged" not in statuses
    levels = {s["key"]: s["count"] for s in figures["issues"]["levels"]}
    assert levels == {"grid": 5, "community": 2, "street": 0, "department": 0}
    assert [h["title"] for h in figures["hottest"][:2]] == ["D", "A"]
    children = {c["code"]: c for c in figures["children"]}
    assert children["C1"]["concerns"] == 9 and children["C1"]["issues"] == 6
    assert children["C1"]["resolution_rate"] == 50.0
    assert children["C2"]["issues"] == 1 and children["C2"]["resolution_rate"] == 100.0


@pytest.mark.django_db
def test_overdue_issues_match_the_issue_model(world):
    issues = march_data_set(world)
    figures = metrics.overdue_issues(metrics.Scope.of(world.c1), now=NOW)
    expected = {
        i.title
        for i in Issue.objects.filter(community=world.c1)
        if i.status != "merged"
        and (
            (i.status == "new" and i.accept_due_at < NOW) or (i.is_open and i.resolve_due_at < NOW)
        )
    }
    # J's acceptance is not due yet, but its week to resolve has run out.
    assert expected == {"C", "D", "J"}
    assert figures["count"] == 3
    assert {item["title"] for item in figures["items"]} == expected
    assert issues["C"].pk in {item["id"] for item in figures["items"]}


def test_period_parsing():
    assert metrics.Period.parse("2026-03-01", "2026-03-31") == MARCH
    with pytest.raises(ActionError) as backwards:
        metrics.Period.parse("2026-04-01", "2026-03-01")
    assert backwards.value.field == "start"
    with pytest.raises(ActionError) as too_long:
        metrics.Period.parse("2020-01-01", "2026-01-02")
    assert too_long.value.code == "range_too_long"
    assert metrics.Period.parse("2021-01-01", "2026-01-01").start == date(2021, 1, 1)
    with pytest.raises(ActionError):
        metrics.Period.parse("2026-02-30", None)
    default = metrics.Period.parse(None, None, today=date(2026, 11, 26))
    assert default == metrics.Period(date(2025, 12, 1), date(2026, 11, 26))
    assert len(default.buckets()) == 12


@pytest.mark.django_db
def test_satisfaction_meetings_and_action_items_by_hand(world):
    from insights.tests.factories import march_later_steps

    march_later_steps(world, march_data_set(world))
    rates = figures_for(world.c1)
    assert (rates["satisfaction"].numerator, rates["satisfaction"].denominator) == (2, 3)
    assert rates["satisfaction"].value == 66.7
    # Ratings belong to c1's item: the street counts them, c2 has none.
    assert figures_for(world.street)["satisfaction"].denominator == 3
    assert figures_for(world.c2)["satisfaction"].denominator == 0

    street = metrics.dashboard(world.street, MARCH, now=NOW)
    forms = {f["key"]: f["count"] for f in street["meetings"]["forms"]}
    assert street["meetings"]["total"] == 2
    assert forms["council"] == 1 and forms["joint"] == 1 and forms["hearing"] == 0
    district = metrics.dashboard(world.district, MARCH, now=NOW)
    assert district["meetings"]["total"] == 3

    items = street["action_items"]
    assert (items["listed_total"], items["closed_total"]) == (3, 1)
    assert items["listed"][2] == 1 and items["closed"][19] == 1  # 3 March, 20 March
    assert items["overdue"]["count"] == 1
    assert items["overdue"]["items"][0]["title"] == "清理楼道杂物"
    # A grid sees the items taken up for its issues: C (g2) has Y.
    grid = metrics.dashboard(world.g2, MARCH, now=NOW)["action_items"]
    assert grid["listed_total"] == 1 and grid["overdue"]["count"] == 1
