"""Every list page on a 390×844 phone, as someone who uses it: no table cell is narrower than
three characters of its own font (a table squeezed to one character per line fails), and a
screenshot of each page is kept in var/screenshots/phone-lists/ to look at."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "phone-lists"

# Cells narrower than three characters of their font, ignoring cells that are out of sight
# (the header row kept for screen readers when a table turns into cards is 1×1 px).
NARROW_CELLS = """() => {
  const narrow = [];
  const outOfSight = el => {
    for (let a = el; a; a = a.parentElement) {
      const r = a.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) return true;
    }
    return false;
  };
  for (const cell of document.querySelectorAll("main td, main th")) {
    if (!cell.offsetParent || !cell.innerText.trim() || outOfSight(cell)) continue;
    const style = getComputedStyle(cell);
    const inner = cell.getBoundingClientRect().width
      - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const font = parseFloat(style.fontSize);
    const text = cell.innerText.trim().slice(0, 12);
    if (inner < 3 * font) narrow.push(`${text}: ${Math.round(inner)}px`);
  }
  return narrow;
}"""


def list_pages() -> list[tuple[str | None, str]]:
    """(who looks, page): each list page of the site as the role that uses it."""
    from concerns.models import Issue
    from consultations.models import Meeting
    from places.models import Area

    community = Area.objects.get(name="金城蓝湾社区")
    issue = Issue.objects.filter(community=community).order_by("-residents_count").first()
    meeting = Meeting.objects.filter(area=community).order_by("starts_at").first()
    district = Area.objects.get(kind=Area.Kind.DISTRICT, name="金凤区")
    assert issue is not None and meeting is not None
    return [
        ("property_jclw", "/accountability/"),
        ("water_yc", "/accountability/"),
        ("secretary_jclw", "/accountability/?status=all"),
        ("grid_jclw", "/concerns/queue/"),
        ("secretary_jclw", "/concerns/issues/"),
        ("secretary_jclw", f"/concerns/issues/{issue.pk}/"),
        ("secretary_jclw", "/concerns/cards/"),
        ("secretary_jclw", f"/concerns/cards/{community.code}/"),
        ("secretary_jclw", "/consultations/topics/"),
        ("secretary_jclw", "/consultations/meetings/"),
        ("secretary_jclw", f"/consultations/meetings/{meeting.pk}/"),
        ("secretary_jclw", "/notifications/"),
        ("secretary_jclw", "/workbench/"),
        ("cppcc_office_jf", "/opinions/"),
        ("cppcc_jf", "/opinions/record/"),
        ("district_jf", f"/insights/a/{district.code}/"),
        ("district_jf", f"/insights/a/{district.code}/report/"),
        ("district_jf", f"/insights/a/{community.code}/"),
        ("secretary_jclw", f"/places/a/{community.code}/profile/"),
        (None, f"/accountability/board/{community.code}/"),
        (None, f"/c/{community.code}/"),
        (None, "/communities/"),
    ]


def test_every_list_page_reads_on_a_phone(phone_page):
    call_command("load_demo", stdout=io.StringIO())
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = phone_page
    failures = []
    who = None
    for username, url in list_pages():
        if username != who:
            page.context.clear_cookies()
            if username:
                browser_login(page, username, DEMO_PASSWORD)
            who = username
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        name = f"{username or 'anonymous'}{url}".strip("/").replace("/", "_").replace("?", "_")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        narrow = page.evaluate(NARROW_CELLS)
        if narrow:
            failures.append(f"{url} as {username}: {', '.join(narrow[:5])}")
    assert not failures, "cells narrower than three characters:\n" + "\n".join(failures)


def test_the_check_catches_a_squeezed_table(phone_page, world):
    """The measure itself: a six-column table of names at 390 px fails it."""
    from conftest import PASSWORD

    browser_login(phone_page, "staff", PASSWORD)
    phone_page.goto("/workbench/")
    phone_page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
          "<table><tr>" + "<td>金城蓝湾物业服务中心</td>".repeat(6) + "</tr></table>")"""
    )
    assert phone_page.evaluate(NARROW_CELLS)


def test_a_cards_table_passes_the_same_check(phone_page, world):
    from conftest import PASSWORD

    browser_login(phone_page, "staff", PASSWORD)
    phone_page.goto("/workbench/")
    phone_page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
          "<table class='cards'><thead><tr>" + "<th>单位</th>".repeat(6) + "</tr></thead><tr>"
          + "<td data-label='单位'>金城蓝湾物业服务中心</td>".repeat(6) + "</tr></table>")"""
    )
    assert phone_page.evaluate(NARROW_CELLS) == []
