"""The times a meeting's pages print: once held, when it really opened and closed; before, the
planned start and end. And an empty list of resolutions prints 暂无, not a numbered "1. 暂无。"."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import actions
from consultations.models import Meeting
from consultations.tests.test_views import login

pytestmark = pytest.mark.django_db

PLANNED = timezone.make_aware(timezone.datetime(2026, 5, 12, 11, 40))


def page(client, world, name, meeting) -> str:
    response = login(client, world.staff).get(reverse(f"consultations:{name}", args=[meeting.pk]))
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_minutes_of_a_meeting_opened_early_print_the_actual_start_and_end(client, world, held):
    # Planned for 11:40 with no planned end; opened at 11:02 by the first sign-in, closed 11:34.
    Meeting.objects.filter(pk=held.pk).update(
        starts_at=PLANNED, ends_at=None, held_at=PLANNED - timedelta(minutes=38)
    )
    held.refresh_from_db()
    actions.close_meeting(world.staff, held, now=PLANNED - timedelta(minutes=6))
    held.refresh_from_db()
    minutes = text_of(page(client, world, "minutes", held))
    assert "2026年5月12日 11:02–11:34" in minutes
    assert "11:40" not in minutes
    assert "2026-05-12 11:02–11:34" in text_of(page(client, world, "meeting", held))


def test_a_meeting_in_session_shows_when_it_opened_and_no_end(client, world, held):
    Meeting.objects.filter(pk=held.pk).update(
        starts_at=PLANNED, ends_at=PLANNED + timedelta(hours=2), held_at=PLANNED
    )
    held.refresh_from_db()
    meeting_page = text_of(page(client, world, "meeting", held))
    assert "2026-05-12 11:40 " in meeting_page
    assert "11:40–13:40" not in meeting_page  # the planned end is not what happened


def test_a_meeting_not_yet_held_shows_the_planned_start_and_end(client, world, announced):
    Meeting.objects.filter(pk=announced.pk).update(
        starts_at=PLANNED, ends_at=PLANNED + timedelta(hours=1, minutes=20)
    )
    announced.refresh_from_db()
    assert announced.held_at is None
    assert "2026年5月12日 11:40–13:00" in text_of(page(client, world, "notice", announced))
    assert "2026-05-12 11:40–13:00" in text_of(page(client, world, "meeting", announced))


def test_no_resolutions_prints_none_yet_without_a_number(client, world, held):
    actions.close_meeting(world.staff, held)
    for name in ("minutes", "meeting"):
        html = page(client, world, name, held)
        section = html[html.index("协商成果") :]
        assert re.search(r"<p[^>]*>暂无。</p>", section), name
        assert not re.search(r"<ol>\s*<li[^>]*>(暂无|—)", section), name


def test_resolutions_are_still_numbered(client, world, held, topic):
    actions.record_resolution(world.staff, held, topic=topic, text="物业三日内清理楼道")
    for name in ("minutes", "meeting"):
        html = page(client, world, name, held)
        section = html[html.index("协商成果") :]
        assert re.search(r"<ol><li>(<b>)?物业三日内清理楼道", section), name
        assert "暂无" not in section.split("</ol>")[0]
