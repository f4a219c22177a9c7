"""The resident's journey, on a phone and on a desktop, in a real browser.

From the community's page the resident raises a concern and gets a tracking code. Later, from
the home page, they look the matter up by that code. The timeline is in resident wording.
They rate the settled matter 不满意, and the box answers in place, without a reload: 已重新交办,
and the new status.

Bar: at most 8 clicks. The whole journey takes 7: 我要反映, the building, 提交; 凭查询码查询,
查询; 不满意, 提交评价. Typing is not counted.
"""

import pytest

from concerns import actions as concern_actions
from concerns.models import Concern, Issue
from places.models import Building, Compound
from yishi.tests.browser import Counted, sized_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_CLICKS = 8
PHONE_NUMBER = "13800138000"


@pytest.fixture
def compound(world):
    garden = Compound.objects.create(name="花园小区", grid=world.g1)
    for n in range(1, 6):
        Building.objects.create(compound=garden, name=f"{n}号楼")
    return garden


@pytest.mark.parametrize("size_name", ["phone", "desktop"])
def test_resident_raises_follows_and_rates_a_matter(
    world, compound, browser, live_server, size_name
):
    with sized_page(browser, live_server, size_name) as raw:
        page = Counted(raw, f"resident-{size_name}")
        raw.goto(f"/c/{world.c1.code}/")
        assert "一号社区" in page.text("h1")
        page.shot("0-community")

        page.click(f"main a.btn[href$='/concerns/?community={world.c1.code}']")
        assert "一号社区" in page.text()  # the community is already chosen
        page.fill("#id_content", "花园小区3号楼门口的路灯坏了一个月，晚上老人出门看不见路")
        page.select("#id_building", label="花园小区 3号楼")
        page.fill("#id_phone", PHONE_NUMBER)
        page.shot("1-form")
        page.click("form.concern-form button[type=submit]")
        raw.wait_for_url("**/concerns/t/*/")
        code = page.text("[data-testid=tracking-code]").strip()
        concern = Concern.objects.get()
        assert code == concern.tracking_code
        assert page.text("[data-testid=status]") == "待受理"
        assert "请记好查询码" in page.text()
        assert PHONE_NUMBER not in raw.content()
        assert page.fits()
        page.shot("2-tracking-code")

        # Meanwhile the grid worker goes to look and settles it in the grid.
        issue = concern.issue
        assert issue is not None and issue.grid == world.g1
        concern_actions.accept_issue(issue, actor=world.grid_worker)
        concern_actions.record_site_visit(issue, actor=world.grid_worker, notes="路灯线路老化")
        concern_actions.settle_issue(
            issue, actor=world.grid_worker, outcome="已请物业更换路灯，当晚恢复照明"
        )

        # Days later, from the home page, with the code kept from the SMS.
        raw.goto("/")
        page.click("main a[href$='/concerns/track/']")
        page.fill("#id_code", code.lower())
        page.click("main form button[type=submit]")
        raw.wait_for_url(f"**/concerns/t/{code}/")
        assert page.text("[data-testid=status]") == "已办结"
        timeline = page.text(".timeline")
        # Each step in resident wording, never the staff's labels.
        for step in ("已收到反映", "已受理，正在办理", "工作人员已到现场查看", "已办结"):
            assert step in timeline, step
        assert "实地查看" not in timeline and "经居民自助受理" not in page.text()
        assert "已请物业更换路灯，当晚恢复照明" in page.text()
        # Internal steps and staff notes stay internal.
        assert "路灯线路老化" not in page.text()
        box = raw.locator("[data-testid=rate-box]")
        box.wait_for()
        assert page.fits()
        page.shot("3-settled")

        raw.evaluate("window.notReloaded = true")
        page.click("#rate-box input[name=rating][value=dissatisfied]")
        page.fill("#rate-box textarea[name=comment]", "换了两天又不亮了")
        page.click("#rate-box button[type=submit]")
        answer = raw.locator("[data-testid=rating-answer]")
        answer.wait_for()
        assert "已重新交办，网格员将再次处理" in answer.inner_text()
        issue.refresh_from_db()
        assert issue.status != Issue.Status.SETTLED
        status = issue.get_status_display()
        assert status in answer.inner_text()
        # The status line at the top follows, without a reload.
        assert page.text("[data-testid=status]") == status
        assert "已办结" not in page.text("[data-testid=status]")
        assert raw.evaluate("window.notReloaded === true")
        assert page.fits()
        page.shot("4-rated")

        assert page.clicks <= MAX_CLICKS, f"{page.clicks} clicks on {size_name}"
