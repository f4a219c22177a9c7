"""Street and district figures come from the cache until something in the area changes."""

import re

import pytest

from concerns.actions import submit_concern
from insights.tests.factories import at, march_data_set

MARCH = "start=2026-03-01&end=2026-03-31"


def concerns_shown(client, code: str, query: str = MARCH) -> int:
    page = client.get(f"/insights/a/{code}/?{query}").content.decode()
    return int(re.search(r"共收到诉求 (\d+) 件", page).group(1))


@pytest.mark.django_db
def test_a_recorded_change_in_the_area_refreshes_cached_figures(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.INSIGHTS_CACHE_SECONDS = 300
    client.force_login(world.street_officer)
    assert concerns_shown(client, "S1") == 0
    march_data_set(world)  # written behind the actions' backs: no event, still cached
    assert concerns_shown(client, "S1") == 0
    with django_capture_on_commit_callbacks(execute=True):
        submit_concern(
            community=world.c2,
            content="楼道灯坏了三天了",
            channel="phone",
            actor=world.staff2,
            received_at=at(3, 30),
        )
    assert concerns_shown(client, "S1") == 11
    # The API reads the same cached figures.
    api = client.get(f"/api/v1/insights/areas/S1/figures?{MARCH}").json()
    assert api["concerns"]["total"] == 11
