import pytest

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_logs_in_and_sees_their_grid_in_chinese(world, page, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    browser_login(page, "grid_worker")
    assert page.url.endswith("/workbench/")
    body = page.text_content("body")
    assert "网格员" in body
    assert "一号社区第一网格" in body
    assert "二号社区网格" not in body
    assert page.locator("html").get_attribute("lang") == "zh-hans"
