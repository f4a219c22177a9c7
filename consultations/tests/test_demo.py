"""The demo loader plays the stories: a newcomer sees real meetings, reachable without login."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import demo as consultations_demo
from consultations.models import Meeting, Resolution

pytestmark = pytest.mark.django_db


def load():
    out = io.StringIO()
    consultations_demo.load(out)
    return out.getvalue()


def test_demo_plays_the_stories_once(demo, client):
    try:
        from concerns import demo as concerns_demo

        concerns_demo.load(io.StringIO())
    except ImportError:
        pass
    print(load())
    count = Meeting.objects.count()
    assert Meeting.objects.filter(status=Meeting.Status.PUBLISHED).count() >= 4
    load()
    assert Meeting.objects.count() == count  # idempotent

    story5 = Meeting.objects.get(title=consultations_demo.STORY5_MEETING)
    owners = {
        r.text: [o.name for o in r.responsible_organisations.all()]
        for r in story5.resolutions.all()
    }
    assert owners[consultations_demo.BASKETBALL_RESOLUTION] == ["金凤区文化旅游体育广电局"]
    next_year = timezone.localdate().year + 1
    assert {r.target_date.year for r in story5.resolutions.all()} == {next_year}

    story6 = Meeting.objects.get(title=consultations_demo.STORY6_MEETING)
    assert story6.field_visits.count() == 5 and story6.resolutions.count() == 5

    # Reachable from the home page without logging in: home → community → result.
    home = client.get(reverse("yishi:home")).content.decode()
    community_url = reverse("yishi:community", args=["640106001002"])
    assert community_url in home
    page = client.get(community_url).content.decode()
    story3 = Meeting.objects.get(title=consultations_demo.STORY3_MEETING)
    result_url = reverse("consultations:result", args=[story3.pk])
    assert result_url in page
    result = client.get(result_url).content.decode()
    assert "新时代文明实践+物业管理网格" in result
    # A district's thematic consultation shows on the pages of its villages.
    village = client.get(reverse("yishi:community", args=["640425201001"])).content.decode()
    assert reverse("consultations:result", args=[story6.pk]) in village
    # The upcoming meeting's notice is on 金山社区's page.
    upcoming = Meeting.objects.get(title=consultations_demo.UPCOMING_MEETING)
    jinshan = client.get(reverse("yishi:community", args=["640202001001"])).content.decode()
    assert reverse("consultations:notice", args=[upcoming.pk]) in jinshan
    assert Resolution.objects.filter(text=consultations_demo.YELLOW_WATER_RESOLUTION).count() in (
        0,
        1,
    )


def test_demo_meetings_are_dated_in_order(demo):
    from timeline.models import Event

    load()
    for meeting in Meeting.objects.filter(status=Meeting.Status.PUBLISHED):
        for topic in meeting.topics.all():
            assert topic.created_at < meeting.created_at < meeting.starts_at
        for resolution in meeting.resolutions.all():
            assert meeting.starts_at <= resolution.created_at < meeting.starts_at.replace(hour=23)
        published = Event.objects.filter(verb="meeting.published", subject_id=meeting.pk)
        assert published.get().created_at > meeting.starts_at
        assert meeting.starts_at < timezone.now()
