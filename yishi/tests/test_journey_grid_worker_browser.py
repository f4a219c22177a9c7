"""The grid worker's journey, on a phone and on a desktop, in a real browser.

They sign in. The first screen is their grid's queue: the concern that just arrived, the
overdue one marked 逾期, and the message telling them of the new one. Nothing of the other
grids shows. They open the new matter and see the resident's phone in full, to call back. They
settle it (办结) after a confirmation. Then they escalate the overdue matter to the community
(上报). The form says first where the note will be seen, and the step asks for confirmation.

Bar: at most 10 clicks. Desktop takes 8: sign in; open; 办结 and its confirmation; 工作台;
open; 上报 and its confirmation. A phone takes one more, to open the menu.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from concerns.intake.submit import submit_concern
from concerns.models import Concern, Issue
from places.models import Building, Compound
from yishi.tests.browser import Counted, sized_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_CLICKS = 10
RESIDENT_PHONE = "13912345678"


def arrived(world):
    """A resident's concern that has just arrived in grid g1 (from the resident form)."""
    garden = Compound.objects.create(name="花园小区", grid=world.g1)
    concern = submit_concern(
        building=Building.objects.create(compound=garden, name="3号楼"),
        community=world.c1,
        content="3号楼楼道里堆满了纸箱，消防通道被堵死了",
        channel=Concern.Channel.WEB,
        phone=RESIDENT_PHONE,
        name="王建国",
        address="3号楼2单元",
    )
    issue = concern.issue
    assert issue is not None and issue.grid == world.g1 and issue.level == Issue.Level.GRID
    return issue


def waiting(world, grid, title, *, days_late=0):
    received = timezone.now() - timedelta(days=days_late + 2)
    issue = Issue.objects.create(
        community=grid.parent,
        grid=grid,
        title=title,
        status=Issue.Status.NEW,
        level=Issue.Level.GRID,
        residents_count=1,
        concerns_count=1,
        first_received_at=received,
        accept_due_at=timezone.now() - timedelta(days=days_late) + timedelta(hours=1),
    )
    Concern.objects.create(
        issue=issue,
        community=grid.parent,
        grid=grid,
        tracking_code=f"G{issue.pk:07d}",
        channel=Concern.Channel.PHONE,
        content=title,
        phone="13700001111",
        resident_key=f"tel:{title}",
        received_at=received,
    )
    return issue


@pytest.mark.parametrize("size_name", ["phone", "desktop"])
def test_grid_worker_handles_the_queue(world, browser, live_server, size_name):
    new = arrived(world)
    late = waiting(world, world.g1, "花园小区南门路灯不亮", days_late=3)
    other_grid = waiting(world, world.g2, "东苑小区垃圾桶满溢", days_late=3)
    other_community = waiting(world, world.g3, "二号社区井盖缺失", days_late=3)

    with sized_page(browser, live_server, size_name) as raw:
        page = Counted(raw, f"grid-{size_name}")
        page.login("grid_worker")
        assert raw.url.endswith("/workbench/")
        queue = page.text(".concerns-panel")
        assert "我的待办" in queue
        assert new.title in queue and late.title in queue
        assert raw.locator(".concerns-panel li", has_text=late.title).locator(".overdue").count()
        for title in (other_grid.title, other_community.title):
            assert title not in page.text()
        assert "您的网格有新诉求" in page.text()  # told in the app when it arrived
        assert page.fits()
        page.shot("0-workbench")

        page.click(f".concerns-panel a[href$='/concerns/issues/{new.pk}/']")
        assert page.text("h1") == new.title
        assert RESIDENT_PHONE in page.text(f"#concern-{new.concerns.get().pk}")  # in full
        assert "王建国" in page.text()
        assert page.fits()
        page.shot("1-issue")

        page.fill("#settle-outcome", "已联系物业清走纸箱，楼道已畅通")
        page.click("form[action$='/settle/'] button[type=submit]")
        assert page.dialogs and "办结" in page.dialogs[-1]
        new.refresh_from_db()
        assert new.status == Issue.Status.SETTLED
        assert page.text("[data-testid=status]") == "已办结"
        page.shot("2-settled")

        page.nav("/workbench/")
        page.click(f".concerns-panel a[href$='/concerns/issues/{late.pk}/']")
        where = page.text("[data-testid=escalate-where]")
        assert "居民在跟踪页上只看到" in where and "看不到这段说明" in where
        page.fill("#escalate-reason", "路灯线路需社区协调供电所维修")
        page.shot("3-escalate")
        page.click("form[action$='/escalate/'] button[type=submit]")
        assert "上报" in page.dialogs[-1]
        late.refresh_from_db()
        assert late.level == Issue.Level.COMMUNITY
        assert "社区" in page.text(".meta")
        assert page.fits()
        page.shot("4-escalated")

        assert page.clicks <= MAX_CLICKS, f"{page.clicks} clicks on {size_name}"

        # Other grids stay closed, even by address.
        for issue in (other_grid, other_community):
            answer = raw.goto(f"/concerns/issues/{issue.pk}/")
            assert answer is not None and answer.status in (403, 404)
        raw.goto("/concerns/queue/")
        assert other_grid.title not in page.text() and other_community.title not in page.text()
