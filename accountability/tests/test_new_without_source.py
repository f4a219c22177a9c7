"""/accountability/new/ without a resolution or issue: not a bare 404, but the items page where
the resolutions and issues that can be listed are, with a word on where an item starts."""

import pytest
from django.urls import reverse

from accountability.tests.conftest import hold_consultation

pytestmark = pytest.mark.django_db


def test_staff_are_sent_to_what_can_be_listed(world, client, issue, water_company):
    resolution = hold_consultation(world.staff, world.c1, issue, parties=[water_company])
    client.force_login(world.staff)
    response = client.get("/accountability/new/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accountability:items") + "#to-list"
    page = client.get(response["Location"]).content.decode()
    assert "挂牌事项要从会议的协商成果" in page
    assert 'id="to-list"' in page
    # The resolution waiting to be listed is one tap away.
    assert reverse("accountability:publish_item") + f"?resolution={resolution.pk}" in page


@pytest.mark.parametrize("query", ["?resolution=abc", "?issue=", "?x=1"])
def test_malformed_sources_are_sent_there_too(world, client, query):
    client.force_login(world.staff)
    response = client.get("/accountability/new/" + query)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accountability:items"))


def test_an_unknown_resolution_is_still_not_found(world, client):
    client.force_login(world.staff)
    assert client.get("/accountability/new/?resolution=999999").status_code == 404


def test_strangers_must_log_in_first(client):
    response = client.get("/accountability/new/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
