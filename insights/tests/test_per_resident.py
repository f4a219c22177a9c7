"""Concerns per 1,000 residents: divided by the latest resident population (常住人口) on
record, with its date; "—" where an area has none, never a division by zero."""

import re
from datetime import date

import pytest
from django.utils import timezone

from concerns.intake.submit import submit_concern
from places import actions as places
from places.models import AreaFigure

pytestmark = pytest.mark.django_db


def period() -> str:
    today = timezone.localdate()
    return f"start={today.replace(day=1).isoformat()}&end={today.isoformat()}"


def per_resident(client, code: str) -> str:
    """The per-1,000 block of a dashboard, as a reader sees it."""
    html = client.get(f"/insights/a/{code}/?{period()}").content.decode()
    block = re.search(r'id="per-resident">(.*?)</div></div>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block)).strip()


def resident_population(user, area, value, as_of=date(2026, 6, 30)):
    places.record_figure(
        user,
        area,
        kind=AreaFigure.Kind.RESIDENT_POPULATION,
        value=value,
        as_of=as_of,
        source="人口普查",
    )


@pytest.fixture
def three_concerns(world):
    for text in ("楼道灯坏了", "电梯停了", "垃圾没清运"):
        submit_concern(community=world.c1, content=text, channel="phone", actor=world.staff)


def test_a_community_with_a_population_shows_concerns_per_thousand(client, world, three_concerns):
    resident_population(world.staff, world.c1, 2000)
    client.force_login(world.staff)
    shown = per_resident(client, "C1")
    assert shown.startswith("1.5 每千名常住居民诉求数")
    assert "按常住人口 2000 人（2026-06 统计）" in shown


def test_without_a_population_the_figure_is_a_dash(client, world, three_concerns):
    client.force_login(world.staff)
    shown = per_resident(client, "C1")
    assert shown.startswith("— ") and "暂无常住人口数据" in shown
    # A population of 0 is on record but divides nothing.
    resident_population(world.staff, world.c1, 0)
    assert per_resident(client, "C1").startswith("— ")


def test_a_street_adds_up_its_communities_only_when_all_are_known(client, world, three_concerns):
    client.force_login(world.district_officer)
    resident_population(world.staff, world.c1, 2000)
    # C2 has no figure: the street's 3 concerns over C1's 2000 would overstate the rate.
    assert per_resident(client, "S1").startswith("— ")
    drill = client.get(f"/insights/a/S1/?{period()}").content.decode()
    assert re.search(
        r"<td[^>]*>1.5<br><span class=\"muted\">按常住人口 2000 人（2026-06 统计）</span>", drill
    )
    resident_population(world.staff2, world.c2, 1000, as_of=date(2026, 3, 31))
    shown = per_resident(client, "S1")
    assert shown.startswith("1.0 ")
    assert "按常住人口 3000 人（2026-03 统计）" in shown  # the oldest count in the sum
    # The street's own count, when it has one, is used as is; the district adds it up.
    resident_population(world.street_officer, world.street, 6000)
    assert per_resident(client, "S1").startswith("0.5 ")
    assert "按常住人口 6000 人（2026-06 统计）" in per_resident(client, "D1")
    # A grid keeps no population.
    client.force_login(world.staff)
    assert per_resident(client, "C1G1").startswith("— ")


def test_the_api_carries_the_rate_and_its_population(client, world, three_concerns):
    resident_population(world.staff, world.c1, 2000)
    client.force_login(world.staff)
    body = client.get(f"/api/v1/insights/areas/C1/figures?{period()}").json()
    assert body["per_resident"] == {
        "per_thousand": 1.5,
        "population": 2000,
        "population_as_of": "2026-06-30",
    }
    street = client.force_login(world.street_officer) or client.get(
        f"/api/v1/insights/areas/S1/figures?{period()}"
    )
    rows = {row["code"]: row for row in street.json()["children"]}
    assert rows["C1"]["per_thousand"] == 1.5 and rows["C2"]["per_thousand"] is None


def test_a_new_population_refreshes_cached_figures(
    client, world, three_concerns, settings, django_capture_on_commit_callbacks
):
    settings.INSIGHTS_CACHE_SECONDS = 300
    client.force_login(world.staff)
    assert per_resident(client, "C1").startswith("— ")
    with django_capture_on_commit_callbacks(execute=True):
        resident_population(world.staff, world.c1, 3000)
    assert per_resident(client, "C1").startswith("1.0 ")


def test_a_community_dashboard_has_no_per_thousand_column_for_its_grids(client, world):
    client.force_login(world.staff)
    html = client.get(f"/insights/a/C1/?{period()}").content.decode()
    assert 'id="drill-down"' in html and "每千人诉求" not in html
    client.force_login(world.street_officer)
    assert "每千人诉求" in client.get(f"/insights/a/S1/?{period()}").content.decode()
