"""A district officer opens the dashboard, drills into a community and sees the charts drawn
with ECharts served by the platform itself (never a CDN)."""

import pytest

from conftest import browser_login
from insights.tests.factories import march_data_set, march_later_steps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_district_officer_drills_down_to_a_community_and_sees_charts(world, page, live_server):
    march_later_steps(world, march_data_set(world))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    browser_login(page, "district_officer")
    page.goto("/insights/")
    assert page.url.startswith(f"{live_server.url}/insights/a/D1/")
    page.fill("#id_start", "2026-03-01")
    page.fill("#id_end", "2026-03-31")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()

    page.click("#drill-down a:has-text('测试街道')")
    page.wait_for_load_state()
    page.click("#drill-down a:has-text('一号社区')")
    page.wait_for_load_state()
    assert "/insights/a/C1/" in page.url and "start=2026-03-01" in page.url
    assert page.locator("h1").text_content().startswith("一号社区")

    # Every chart is drawn (ECharts puts an <svg> in each container) and labelled.
    page.wait_for_selector("[data-chart] svg")
    charts = page.locator("[data-chart]")
    assert charts.count() == 6
    for i in range(charts.count()):
        assert charts.nth(i).locator("svg").count() == 1
    assert "各渠道诉求数" in page.locator("[data-chart='chart-concerns_over_time']").inner_html()
    # The rates and their definitions are on the page, the numbers in tables too.
    assert page.locator("[data-rate='resolution'] .value").text_content().strip() == "50.0%"
    assert page.locator("details.definitions").count() == 1

    echarts = [url for url in requested if url.endswith("echarts.min.js")]
    assert echarts and all(
        url == f"{live_server.url}/static/vendor/echarts/echarts.min.js" for url in echarts
    )
    assert all(url.startswith(live_server.url) for url in requested), [
        url for url in requested if not url.startswith(live_server.url)
    ]


def test_dashboard_is_readable_on_a_phone(world, phone_page, live_server):
    march_data_set(world)
    browser_login(phone_page, "staff")
    phone_page.goto("/insights/a/C1/?start=2026-03-01&end=2026-03-31")
    phone_page.wait_for_selector("[data-chart] svg")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing forces sideways scrolling
    box = phone_page.locator("[data-chart='chart-concerns_over_time']").bounding_box()
    assert box is not None and 300 <= box["width"] <= 390
