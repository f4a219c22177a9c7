"""The communities' public pages show their figures: counts and rates, no personal data."""

import io
import re

import pytest
from django.core.management import call_command

from concerns.models import Concern
from insights import metrics
from places.models import Area


@pytest.mark.django_db
def test_demo_community_page_from_the_home_page_shows_its_figures(client):
    call_command("load_demo", stdout=io.StringIO())
    home = client.get("/").content.decode()
    community = Area.objects.get(code="640106001001")  # 金城蓝湾社区, stories 1 and 2
    assert f'href="/c/{community.code}/"' in home
    page = client.get(f"/c/{community.code}/").content.decode()
    section = page[page.index('id="public-figures"') :]
    shown = int(re.search(r'data-count="concerns">(\d+)<', section).group(1))
    scope = metrics.Scope.of(community)
    period = metrics.Period.parse(None, None)
    assert shown == metrics.received_concerns(scope, period).count()
    # The yellow-water households alone are more than ten concerns.
    assert shown >= 10
    for rate in metrics.rates(scope, period).values():
        assert str(rate.label) in section
    # No phone number or name of any resident on the public page.
    for phone, name in Concern.objects.values_list("phone", "reporter_name"):
        if phone:
            assert phone not in page
        if name and len(name) > 1:
            assert name not in section
