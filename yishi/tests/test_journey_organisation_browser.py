"""The journey of an organisation's representative (the property company owning an action
item), on a phone and on a desktop, in a real browser.

They sign in. The first screen is 由您办理, their organisation's items, and no one else's. They
open the item and report progress with a photo. Then they report it done (报告办结), after a
confirmation; the item stays on their list (待验收 is not 销号). No page they pass through shows
a resident's or a participant's phone (README, "Who sees what": organisations see phones
masked at most), and another organisation's item and the residents' issue stay closed, even
by address.

Bar: at most 7 clicks. The journey takes 6: sign in; open the item; choose the photo; 报告进展;
报告办结 and its confirmation.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw

from accountability import actions
from accountability.models import ActionItem
from accountability.tests.conftest import hold_consultation
from accounts.models import Organisation, Role
from concerns.tests.conftest import make_issue
from conftest import make_user
from yishi.tests.browser import Counted, sized_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_CLICKS = 7
PARTICIPANT_PHONE = "13800001111"  # the resident at the meeting (hold_consultation)


@pytest.fixture
def photo(tmp_path):
    """A small picture of a cleared fire lane, as a phone camera would send."""
    picture = Image.new("RGB", (320, 240), (120, 160, 90))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((100, 0, 220, 240), fill=(200, 200, 200))
    draw.line((160, 0, 160, 240), fill=(250, 220, 0), width=6)
    path = tmp_path / "IMG_0412.png"
    picture.save(path, "PNG")
    return path


def listed(world):
    """An item the property company owns, from a meeting it sat in, and another organisation's
    item in the same community."""
    issue = make_issue(world.c1, "消防通道被私家车占用", residents=3, grid=world.g1)
    resolution = hold_consultation(world.staff, world.c1, issue, parties=(world.property_company,))
    deadline = timezone.localdate() + timedelta(days=14)
    ours = actions.publish_action_item(
        actor=world.staff,
        community=world.c1,
        title="清除消防通道占道车辆并施划禁停线",
        deadline=deadline,
        owner_organisation=world.property_company,
        resolution=resolution,
        issues=[issue],
    )
    water = Organisation.objects.create(name="测试自来水公司", kind=Organisation.Kind.UTILITY)
    water.areas.add(world.c1)
    make_user("water_rep", (Role.Kind.ORG_REPRESENTATIVE, None, water))
    theirs = actions.publish_action_item(
        actor=world.staff,
        community=world.c1,
        title="冲洗二次供水水箱",
        deadline=deadline,
        owner_organisation=water,
        issues=[make_issue(world.c1, "自来水发黄", residents=2, grid=world.g1)],
    )
    return ours, theirs, issue


@pytest.mark.parametrize("size_name", ["phone", "desktop"])
def test_representative_reports_progress_and_done(world, photo, browser, live_server, size_name):
    ours, theirs, issue = listed(world)
    resident_phones = list(issue.concerns.values_list("phone", flat=True))

    with sized_page(browser, live_server, size_name) as raw:
        page = Counted(raw, f"organisation-{size_name}")
        seen: list[str] = []
        page.login("org_rep")
        assert raw.url.endswith("/workbench/")
        first = page.text()
        seen.append(raw.content())
        assert "由您办理" in first and ours.title in first
        assert theirs.title not in first
        assert "我的网格" not in first
        assert page.fits()
        page.shot("0-workbench")

        page.click(f"#accountability-panel a[href$='/accountability/{ours.pk}/']")
        assert page.text("h1") == ours.title
        assert "测试物业公司" in page.text(".card")
        seen.append(raw.content())
        page.fill("#progress-form textarea[name=text]", "已张贴通知，占道车辆清走一半")
        page.clicks += 1  # choosing the photo from the phone's album
        raw.set_input_files("#progress-form input[type=file]", str(photo))
        page.shot("1-item")
        page.click("#progress-form button[type=submit]")
        assert "已张贴通知，占道车辆清走一半" in page.text(".timeline")
        image = raw.locator(".progress-photos img").first
        raw.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
        assert image.evaluate("img => img.naturalWidth") == 320
        ours.refresh_from_db()
        assert ours.progress_updates.get().photos.count() == 1
        seen.append(raw.content())
        page.shot("2-progress")

        page.click("form[action$='/done/'] button[type=submit]")
        assert page.dialogs and "办结" in page.dialogs[-1]
        ours.refresh_from_db()
        assert ours.status == ActionItem.Status.DONE
        assert "已办结待验收" in page.text(".item-head")
        assert raw.locator("form[action$='/done/']").count() == 0  # not twice
        assert page.fits()
        seen.append(raw.content())
        page.shot("3-done")
        assert page.clicks <= MAX_CLICKS, f"{page.clicks} clicks on {size_name}"

        # The whole story, in their scope: the residents behind it, never their phones.
        raw.goto(f"/accountability/story/item/{ours.pk}/")
        seen.append(raw.content())

        for html in seen:
            for phone in [PARTICIPANT_PHONE, *resident_phones]:
                assert phone not in html

        # Another organisation's item and the residents' issue stay closed, even by address.
        for url in (f"/accountability/{theirs.pk}/", f"/concerns/issues/{issue.pk}/"):
            answer = raw.goto(url)
            assert answer is not None and answer.status in (403, 404), url
        raw.goto("/accountability/")  # 未销号, the default
        assert theirs.title not in page.text() and ours.title in page.text()
        assert "已办结待验收" in page.text()
