"""The journey of a subdistrict (street) or district officer, on a phone and on a desktop, in a
real browser.

They sign in. The first screen shows what is overdue and what was escalated in their area,
and nothing from another district. They open an overdue community matter. They may read it,
with the resident's phone masked, but not handle it: there is no 办理 form, and a forged
办结 is refused with 403. They open the dashboard from the menu and the ECharts charts draw.
They drill down to a community (the district officer goes through the street first). Then
they export the concern register, and the .xlsx file arrives with phones masked.

Bar: at most 8 clicks. The street officer on a desktop takes 5: sign in; the overdue matter;
数据看板; the community; the ledger. A phone adds one click to open the menu, and the
district officer one more step down, through the street.
"""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.masking import mask_phone
from concerns.models import Issue
from insights.tests.factories import make_issue, march_data_set, march_later_steps
from yishi.tests.browser import Counted, sized_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_CLICKS = 8
PHONE_NUMBER = "13812345678"  # every resident's phone in the march data set


def matters(world):
    """The march data set (c1's matter C was never accepted, so it is overdue), one matter
    the community sent on to the street, and one in another district."""
    issues = march_data_set(world)
    march_later_steps(world, issues)
    overdue = issues["C"]
    Issue.objects.filter(pk=overdue.pk).update(title="一号社区花园小区化粪池外溢")
    now = timezone.now()
    escalated = make_issue(
        world.c2,
        "二号社区与一号社区交界处道路坑洼",
        now - timedelta(days=3),
        grid=world.g3,
        status=Issue.Status.ACCEPTED,
        level=Issue.Level.STREET,
        accepted=now - timedelta(days=2),
        accept_due=now + timedelta(days=1),
    )
    Issue.objects.filter(pk=escalated.pk).update(resolve_due_at=now + timedelta(days=5))
    far = Issue.objects.get(pk=issues["I"].pk)
    Issue.objects.filter(pk=far.pk).update(title="别的区的逾期问题")
    return Issue.objects.get(pk=overdue.pk), escalated, Issue.objects.get(pk=far.pk)


def drawn(raw) -> None:
    """Every chart drawn: ECharts (vendored by `make setup`) puts one <svg> in each container."""
    charts = raw.locator("[data-chart]")
    assert charts.count() >= 6  # a district adds 社情民意
    raw.wait_for_selector("[data-chart] svg")
    for i in range(charts.count()):
        assert charts.nth(i).locator("svg").count() == 1


CASES = [
    ("street_officer", "phone"),
    ("street_officer", "desktop"),
    ("district_officer", "phone"),
    ("district_officer", "desktop"),
]


@pytest.mark.parametrize(("username", "size_name"), CASES)
def test_officer_oversees_drills_down_and_exports(world, browser, live_server, username, size_name):
    overdue, escalated, far = matters(world)

    with sized_page(browser, live_server, size_name) as raw:
        page = Counted(raw, f"{username}-{size_name}")
        page.login(username)
        assert raw.url.endswith("/workbench/")
        panel = page.text(".concerns-panel")
        assert "辖区内逾期" in panel and "已上报街道或职能部门" in panel
        assert panel.index("辖区内逾期") < panel.index(overdue.title)
        assert panel.index("已上报街道或职能部门") < panel.index(escalated.title)
        assert far.title not in page.text() and "我的网格" not in page.text()
        assert page.fits()
        page.shot("0-workbench")

        page.click(f".concerns-panel a[href$='/concerns/issues/{overdue.pk}/']")
        assert page.text("h1") == overdue.title
        concern_text = page.text(".concerns")
        assert mask_phone(PHONE_NUMBER) in concern_text and PHONE_NUMBER not in raw.content()
        # Oversight only: nothing to handle, and a forged 办结 is refused.
        assert "办理" not in [h.strip() for h in raw.locator("main h2").all_inner_texts()]
        for step in ("accept", "visit", "settle", "escalate", "hand_back"):
            assert raw.locator(f"form[action$='/{step}/']").count() == 0
        if username == "district_officer":  # read-only: no form at all
            assert raw.locator("form[action*='/concerns/issues/']").count() == 0
        forged = raw.evaluate(
            """async url => {
                const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
                const body = new URLSearchParams({outcome: "已处理", confirmed: "on"});
                const r = await fetch(url, {method: "POST", body,
                    headers: {"X-CSRFToken": token}, redirect: "manual"});
                return [r.status, await r.text()];
            }""",
            f"/concerns/issues/{overdue.pk}/settle/",
        )
        # The site's own 403 page (permission), not Django's bare CSRF failure page.
        assert forged[0] == 403 and 'id="main"' in forged[1]
        overdue.refresh_from_db()
        assert overdue.status == Issue.Status.NEW
        page.shot("1-issue")

        page.nav("/insights/")
        area = world.users[username].roles.get().area
        assert page.text("h1") == f"{area.name} · 数据看板"
        drawn(raw)
        if username == "district_officer":
            page.click("#drill-down a:has-text('测试街道')")
            assert page.text("h1") == "测试街道 · 数据看板"
            drawn(raw)
        page.shot("2-dashboard")
        page.click("#drill-down a:has-text('一号社区')")
        assert page.text("h1") == "一号社区 · 数据看板"
        drawn(raw)
        assert page.fits()
        page.shot("3-community")

        with raw.expect_download() as arrival:
            page.click("main a[href*='/ledger/concerns.xlsx']")
        download = arrival.value
        assert download.suggested_filename.endswith(".xlsx")
        book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
        cells = [str(c) for s in book.worksheets for r in s.iter_rows(values_only=True) for c in r]
        assert any(mask_phone(PHONE_NUMBER) == c for c in cells)
        assert PHONE_NUMBER not in cells
        assert far.title not in cells

        assert page.clicks <= MAX_CLICKS, f"{page.clicks} clicks on {size_name}"
