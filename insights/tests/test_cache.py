"""Cached figures: a community's are refreshed by the next recorded change in it; a street's
or district's every few minutes (or when everything is marked stale)."""

import io
import re

import pytest
from django.core.management import call_command

from concerns.intake.submit import submit_concern
from insights import cache
from insights.tests.factories import at, march_data_set

MARCH = "start=2026-03-01&end=2026-03-31"


def concerns_shown(client, code: str) -> int:
    page = client.get(f"/insights/a/{code}/?{MARCH}").content.decode()
    return int(re.search(r"共收到诉求 (\d+) 件", page).group(1))


@pytest.fixture
def cached(settings):
    settings.INSIGHTS_CACHE_SECONDS = 300


@pytest.mark.django_db
def test_a_recorded_change_in_a_community_refreshes_its_figures(
    client, world, cached, django_capture_on_commit_callbacks
):
    client.force_login(world.staff2)
    assert concerns_shown(client, "C2") == 0
    march_data_set(world)  # written behind the actions' backs: no event, still cached
    assert concerns_shown(client, "C2") == 0
    with django_capture_on_commit_callbacks(execute=True):
        submit_concern(
            community=world.c2,
            content="楼道灯坏了三天了",
            channel="phone",
            actor=world.staff2,
            received_at=at(3, 30),
        )
    assert concerns_shown(client, "C2") == 2  # H's concern and the new one
    api = client.get(f"/api/v1/insights/areas/C2/figures?{MARCH}").json()
    assert api["concerns"]["total"] == 2


@pytest.mark.django_db
def test_street_figures_are_cached_for_a_few_minutes(client, world, cached):
    client.force_login(world.street_officer)
    assert concerns_shown(client, "S1") == 0
    march_data_set(world)
    assert concerns_shown(client, "S1") == 0
    cache.bump()  # what the next five-minute window does
    assert concerns_shown(client, "S1") == 10


@pytest.mark.django_db
def test_warm_insights_computes_street_and_district_dashboards(world, cached):
    out = io.StringIO()
    call_command("warm_insights", stdout=out)
    # D1, S1 and the other district, in both languages.
    assert out.getvalue().startswith("6 dashboards computed")
