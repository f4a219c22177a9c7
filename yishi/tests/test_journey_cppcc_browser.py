"""The CPPCC member's journey, on a phone and on a desktop, in a real browser.

They sign in. The first screen shows 本区议题, 专题协商调研 and 社情民意 (写社情民意). They open a
topic whose meeting they are invited to, then the meeting. It gives the date, time and place,
and their own sign-in code and where to use it. Then they write a 社情民意 report (public
opinion) on what they saw and submit it to the CPPCC office.

Bar: at most 8 clicks. A desktop takes 7: sign in; the topic; the meeting; 社情民意 in the
menu; 写社情民意; the area (a select); 提交. A phone adds one click, to open the menu.
Typing is not counted.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from consultations import actions as consult
from consultations.models import Meeting, Participant
from opinions.models import Report
from yishi.tests.browser import Counted, sized_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_CLICKS = 8


def invited(world):
    """A community topic with a meeting in three days, the district's CPPCC member invited by
    name and the notice published; a district topic of their own committee's research."""
    topic = consult.create_topic(world.staff, title="一号社区公园缺少健身设施", area=world.c1)
    starts = timezone.localtime(timezone.now() + timedelta(days=3)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    meeting = consult.schedule_meeting(
        world.staff,
        area=world.c1,
        title="公园健身设施三方协商会",
        form=Meeting.Form.COUNCIL,
        starts_at=starts,
        place="一号社区二楼议事厅",
        notice_days=0,
        topics=[topic],
    )
    participant = consult.invite_participant(
        world.staff,
        meeting,
        party=Participant.Party.CPPCC_MEMBER,
        name=world.cppcc.display_name,
        user=world.cppcc,
    )
    consult.publish_notice(world.staff, meeting)
    meeting.refresh_from_db()
    return topic, meeting, participant


@pytest.mark.parametrize("size_name", ["phone", "desktop"])
def test_cppcc_member_reads_the_notice_and_writes_a_report(world, browser, live_server, size_name):
    topic, meeting, participant = invited(world)

    with sized_page(browser, live_server, size_name) as raw:
        page = Counted(raw, f"cppcc-{size_name}")
        page.login("cppcc")
        assert raw.url.endswith("/workbench/")
        first = page.text()
        at = -1
        for heading in ("本区议题", "专题协商调研", "社情民意"):
            assert heading in first
            assert first.index(heading) > at, heading
            at = first.index(heading)
        assert topic.title in page.text("#consultations-panel")
        assert "我的网格" not in first and "诉求与问题" not in first
        assert page.fits()
        page.shot("0-workbench")

        page.click(f"#consultations-panel a[href$='/consultations/topics/{topic.pk}/']")
        assert page.text("h1").startswith(topic.title)
        page.shot("1-topic")
        page.click(f"main a[href$='/consultations/meetings/{meeting.pk}/']")
        body = page.text()
        when = timezone.localtime(meeting.starts_at)
        assert f"{when:%Y-%m-%d %H:%M}" in body and "一号社区二楼议事厅" in body
        # Their own invitation: the sign-in code and where to use it. Nobody else's code.
        mine = page.text("#my-invitation")
        assert "您已受邀参加本次会议" in mine
        assert page.text("[data-testid=my-sign-in-code]") == participant.sign_in_code
        assert raw.locator(f"#my-invitation a[href$='/consultations/m/{meeting.pk}/join/']").count()
        assert body.count(participant.sign_in_code) == 1
        assert page.fits()
        page.shot("2-meeting")

        page.nav("/opinions/")
        page.click("main a.btn[href$='/opinions/new/']")
        page.select("#id_area", label="一号社区")
        page.fill("#id_place", "一号社区公园")
        page.fill("#id_title", "社区公园缺少健身器材")
        page.fill("#id_observation", "一号社区公园只有绿化，没有健身器材，老人只能在路边锻炼。")
        page.fill("#id_affected", "周边三个小区的老人和孩子。")
        page.fill("#id_suggestions", "在公园广场安装健身器材，划出儿童活动区。")
        page.shot("3-write")
        page.click("main form button[type=submit]")
        report = Report.objects.get()
        assert raw.url.endswith(f"/opinions/{report.pk}/")
        assert report.member == world.cppcc and report.area == world.c1
        assert "已报送政协办公室" in page.text("body")
        assert "社区公园缺少健身器材" in page.text("h1")
        assert page.fits()
        page.shot("4-submitted")
        assert page.clicks <= MAX_CLICKS, f"{page.clicks} clicks on {size_name}"
