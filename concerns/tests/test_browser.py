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
    assert "HTML" in page.inner_text("#field-content")
    assert page.input_value("#id_content") == "家里自来水发黄，<b>没法用</b>"  # escaped, kept
    assert Concern.objects.count() == 0

    page.fill("#id_content", "家里自来水发黄，没法用")
    page.fill("#id_phone", "13800138000")
    page.click("button[type=submit]")
    page.wait_for_url("**/concerns/t/*/")
    code = page.inner_text("[data-testid=tracking-code]").strip()
    concern = Concern.objects.get()
    assert code == concern.tracking_code
    assert page.inner_text("[data-testid=status]") == "待受理"
    assert "13800138000" not in page.content()

    # Later, from the home screen: enter the code by hand, in lower case.
    page.goto("/concerns/track/")
    page.fill("#id_code", code.lower())
    page.click("button[type=submit]")
    page.wait_for_url(f"**/concerns/t/{code}/")
    assert "收到诉求" in page.inner_text(".timeline")
