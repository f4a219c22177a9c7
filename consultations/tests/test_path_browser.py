"""In a real browser, on a desktop and on a phone: the secretary takes a hot issue from the
workbench to a listed action item (挂牌) in at most 15 clicks, and invites in bulk."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import ActionItem
from accounts.models import Organisation
from concerns.models import Concern
from concerns.tests.conftest import make_issue
from conftest import browser_login
from consultations.models import Meeting, Participant, Resolution, Topic
from consultations.tests.conftest import plan_meeting
from yishi.tests.browser import Counted, sized_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_CLICKS = 15


@pytest.mark.parametrize("size_name", ["desktop", "phone"])
def test_secretary_goes_from_a_hot_issue_to_a_listed_item_in_15_clicks(
    world, browser, live_server, size_name
):
    title = "金城蓝湾二期3号楼至5号楼之间的消防通道长期被私家车占用，救护车和消防车都进不来"
    issue = make_issue(world.c1, title, residents=4, grid=world.g1)
    with sized_page(browser, live_server, size_name) as raw:
        browser_login(raw, world.secretary.username)
        raw.goto(reverse("yishi:workbench"))  # where the hot issue is listed
        page = Counted(raw, size_name)
        page.shot("0-workbench")

        page.click(f"a[href$='/concerns/issues/{issue.pk}/']")
        page.shot("1-issue")
        page.click(f"a[href$='/consultations/topics/from-issue/{issue.pk}/']")
        assert raw.input_value("#id_title") == title  # whole, not cut with "…"
        page.shot("2-submit-for-consultation")
        page.click("#topic-from-issue button[type=submit]")
        topic = Topic.objects.get()
        assert raw.url.endswith(f"/consultations/topics/{topic.pk}/")

        page.click("a[href*='/consultations/meetings/new/?topic=']")
        assert raw.input_value("#id_title") == title  # the topic's title carried over
        starts = timezone.localtime(timezone.now() + timedelta(hours=1))
        page.fill("#id_starts_at", f"{starts:%Y-%m-%dT%H:%M}")
        page.fill("#id_place", "一号社区二楼议事厅")
        page.fill("#id_notice_days", "0")
        page.click("form.card button[type=submit]")
        meeting = Meeting.objects.get()
        page.shot("3-meeting-draft")

        # Invite everyone of a party in one go: the form stays open.
        page.check("#invite-many input[name=parties][value=property_company]")
        page.click("#invite-many button[type=submit]")
        assert meeting.participants.filter(organisation=world.property_company).exists()
        page.click("form[action$='/do/publish-notice/'] button")
        page.click("form[action$='/do/hold/'] button")
        page.shot("4-meeting-held")

        page.fill(
            "#motions form[action$='/do/motion/'] textarea[name=text]", "物业一周内清除占道车辆"
        )
        page.click("#motions form[action$='/do/motion/'] button[type=submit]")
        motion = meeting.motions.get()
        page.click(f"#motion-{motion.pk} button[name=agreed][value=on]")
        page.shot("5-motion-adopted")

        due = timezone.localdate() + timedelta(days=14)
        form = f"#resolve-motion-{motion.pk}"
        # The one organisation at the table is ticked already as the one who does it.
        owner = f"{form} input[name=organisations][value='{world.property_company.pk}']"
        assert page.page.locator(owner).first.is_checked()
        page.fill(f"{form} input[name=target_date]", due.isoformat())
        page.click(f"{form} button[type=submit]")
        resolution = Resolution.objects.get()
        assert resolution.motion == motion and resolution.text == motion.text

        page.click("a[href*='/accountability/new/?resolution=']")
        page.shot("6-list-item")
        page.click("#list-form button[type=submit]")
        page.shot("7-listed")

        item = ActionItem.objects.get()
        assert item.title == "物业一周内清除占道车辆"
        assert item.deadline == due and item.owner_organisation == world.property_company
        assert item.resolution == resolution and list(item.issues.all()) == [issue]
        assert raw.url.endswith(f"/accountability/{item.pk}/")
        assert page.clicks <= MAX_CLICKS, f"{page.clicks} clicks on {size_name}"
        if size_name == "phone":
            assert raw.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("size_name", ["desktop", "phone"])
def test_bulk_invite_in_the_browser(world, browser, live_server, size_name):
    from conftest import make_user

    far = Organisation.objects.create(name="别区第四中学", kind=Organisation.Kind.OTHER)
    far.areas.add(world.other_district)
    bureau = Organisation.objects.create(
        name="测试区综合执法局", kind=Organisation.Kind.LAW_ENFORCEMENT
    )
    bureau.areas.add(world.district)
    make_user("bureau_rep", ("org_rep", None, bureau))
    issue = make_issue(world.c1, "楼道堆放杂物", residents=2, grid=world.g1)
    for n, concern in enumerate(Concern.objects.filter(issue=issue)):
        concern.phone = f"1380000{n:04d}"
        concern.save()
    from consultations import actions

    topic = actions.create_topic(world.staff, title="楼道杂物清理", issues=[issue])
    meeting = plan_meeting(world, starts_in=timedelta(days=5), place="社区二楼", topics=[topic])
    with sized_page(browser, live_server, size_name) as raw:
        browser_login(raw, world.secretary.username)
        raw.goto(f"/consultations/meetings/{meeting.pk}/")
        page = Counted(raw, f"invite-{size_name}")
        form = raw.locator("#invite-many")
        assert form.is_visible()
        assert "别区第四中学" not in form.inner_text()
        # The organisation search hides what does not match.
        raw.fill("#invite-many input[data-picker-filter]", "执法")
        assert raw.locator("#invite-many label:has-text('测试物业公司')").is_hidden()
        assert raw.locator("#invite-many label:has-text('测试区综合执法局')").is_visible()
        page.shot("search")
        page.check(f"#invite-many input[name=organisations][value='{bureau.pk}']")
        page.check("#invite-many input[name=residents]")
        page.click("#invite-many button[type=submit]")
        assert meeting.participants.count() == 3
        assert set(meeting.participants.values_list("party", flat=True)) == {
            Participant.Party.DEPARTMENT,
            Participant.Party.RESIDENT,
        }
        # After the add the form is still open, ready for the next party.
        assert raw.locator("#invite-many").is_visible()
        assert "已邀请 3 人" in raw.inner_text("body")
        page.shot("after")
        page.check("#invite-many input[name=parties][value=property_company]")
        page.click("#invite-many button[type=submit]")
        assert meeting.participants.count() == 4
        assert page.clicks == 5
        if size_name == "phone":
            assert raw.evaluate("document.documentElement.scrollWidth") <= 390
