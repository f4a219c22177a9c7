"""A resident on a phone raises a concern and follows it by its tracking code."""

import pytest

from concerns.models import Concern


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_on_a_phone_submits_and_follows_by_code(phone_page, world, places):
    page = phone_page
    page.goto("/concerns/?community=C1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.fill("#id_content", "家里自来水发黄，<b>没法用</b>")
    page.select_option("#id_building", label="花园小区 3号楼")
    page.fill("#id_address", "2单元501")
    page.fill("#id_phone", "1380013")  # a digit short
    page.click("button[type=submit]")
    assert "11位手机号码" in page.inner_text("#field-phone")
    assert not page.locator("#field-content .errorlist").count()  # plain text, accepted
    assert page.input_value("#id_content") == "家里自来水发黄，<b>没法用</b>"  # escaped, kept
    assert Concern.objects.count() == 0

    page.fill("#id_phone", "13800138000")
    page.click("button[type=submit]")
    page.wait_for_url("**/concerns/t/*/")
    code = page.inner_text("[data-testid=tracking-code]").strip()
    concern = Concern.objects.get()
    assert code == concern.tracking_code
    assert concern.content == "家里自来水发黄，<b>没法用</b>"
    assert page.inner_text("[data-testid=status]") == "待受理"
    assert "13800138000" not in page.content()

    # Later, from the home screen: enter the code by hand, in lower case.
    page.goto("/concerns/track/")
    page.fill("#id_code", code.lower())
    page.click("button[type=submit]")
    page.wait_for_url(f"**/concerns/t/{code}/")
    assert "已收到反映" in page.inner_text(".timeline")  # the resident wording of the step


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_grid_worker_sees_the_residents_photo_on_the_issue_page(
    phone_page, page, world, places, tmp_path
):
    from PIL import Image, ImageDraw

    from conftest import browser_login

    picture = Image.new("RGB", (800, 600), (200, 170, 60))  # yellow water in a white basin
    draw = ImageDraw.Draw(picture)
    draw.ellipse((150, 100, 650, 500), fill=(235, 235, 235), outline=(90, 90, 90), width=8)
    draw.ellipse((230, 170, 570, 430), fill=(205, 165, 40))
    photo_file = tmp_path / "IMG_2041.jpg"
    picture.save(photo_file, "JPEG")

    resident = phone_page
    resident.goto("/concerns/?community=C1")
    resident.fill("#id_content", "家里自来水发黄，接了一盆给你们看")
    resident.select_option("#id_building", label="花园小区 3号楼")
    resident.fill("#id_phone", "13800138000")
    resident.set_input_files("#id_photos", str(photo_file))
    resident.click("button[type=submit]")
    resident.wait_for_url("**/concerns/t/*/")
    concern = Concern.objects.get()
    photo = concern.photos.get()
    assert photo.image.name.endswith(".jpg") and "IMG_2041" not in photo.image.name

    # The resident's own browser cannot open the photo: it is for the staff handling it.
    assert resident.request.get(photo.get_absolute_url()).status == 404

    browser_login(page, "grid_worker")
    page.goto(f"/concerns/issues/{concern.issue_id}/")
    image = page.locator(f'#concern-{concern.pk} img[src="{photo.get_absolute_url()}"]')
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert image.evaluate("img => img.naturalWidth") == 800
    assert page.locator(f"#concern-{concern.pk}").get_by_text("仅工作人员可见").is_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path="/tmp/issue_photo_staff.png", full_page=True)

    # Full size opens from the thumbnail, as an image.
    answer = page.request.get(photo.get_absolute_url())
    assert answer.status == 200 and answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["x-content-type-options"] == "nosniff"

    page.locator(f"#concern-{concern.pk}").get_by_role("button", name="公开").click()
    page.wait_for_load_state()
    assert page.locator(f"#concern-{concern.pk}").get_by_text("已公开").first.is_visible()
    photo.refresh_from_db()
    assert photo.published
    assert resident.request.get(photo.get_absolute_url()).status == 200
