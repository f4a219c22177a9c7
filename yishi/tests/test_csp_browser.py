"""The Content Security Policy holds in a real browser: the main pages, the staff workbench,
a dashboard drawn by ECharts, htmx fragments and the API docs run with no violation."""

import pytest

from concerns.models import Concern, Issue
from conftest import PASSWORD, browser_login
from insights.tests.factories import march_data_set, march_later_steps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collected before any script of the page runs, so nothing the page does escapes it.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile
    + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


@pytest.fixture
def watched(page):
    page.add_init_script(WATCH)
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.console_csp = console
    return page


def violations(page) -> list[str]:
    return [*page.evaluate("window.__csp"), *page.console_csp]


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    assert "Content-Security-Policy" in response.headers or "content-security-policy" in (
        response.headers
    )
    page.wait_for_load_state("networkidle")
    assert violations(page) == [], url


def test_public_pages_and_the_resident_journey_run_without_violations(watched, world):
    page = watched
    visit(page, "/")
    visit(page, "/communities/")
    visit(page, "/concerns/?community=C1")
    # The form's idempotency key is filled by the site's script, not an inline one.
    assert page.input_value("input[name=idempotency_key]")
    page.fill("#id_content", "楼道灯坏了好几天")
    page.fill("#id_phone", "13800138000")
    page.click("button[type=submit]")
    page.wait_for_url("**/concerns/t/*/")
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    assert Concern.objects.count() == 1


def test_a_settled_matter_loads_its_rating_box_through_htmx(watched, world):
    march_later_steps(world, march_data_set(world))
    concern = Concern.objects.filter(issue__status=Issue.Status.SETTLED).first()
    visit(watched, f"/concerns/t/{concern.tracking_code}/")
    watched.wait_for_selector("#rate-box form")  # swapped in by htmx
    assert violations(watched) == []


def test_staff_pages_the_dashboard_and_the_api_docs_run_without_violations(watched, world):
    page = watched
    march_later_steps(world, march_data_set(world))
    browser_login(page, "staff")
    visit(page, "/workbench/")
    visit(page, "/concerns/issues/")
    visit(page, "/insights/a/C1/?start=2026-03-01&end=2026-03-31")
    page.wait_for_selector("[data-chart] svg")
    # ECharts' tooltip is HTML with style attributes (hence style-src-attr): hovering the
    # first chart (by period) draws one.
    chart = page.locator("[data-chart]").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    for fraction in (0.3, 0.4, 0.5, 0.6):
        page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * 0.6)
    tooltip = chart.locator(":scope > div[style*='z-index']")
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text().strip()
    visit(page, "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert violations(page) == []


def test_the_phone_menu_opens_without_an_inline_handler(browser, live_server, world):
    from conftest import PHONE

    context = browser.new_context(locale="zh-CN", base_url=live_server.url, **PHONE)
    page = context.new_page()
    page.add_init_script(WATCH)
    page.goto("/")
    toggle = page.locator(".menu-toggle")
    assert toggle.get_attribute("onclick") is None
    toggle.click()
    assert page.locator("#nav").evaluate("n => n.classList.contains('open')")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.evaluate("window.__csp") == []
    context.close()


def test_the_admin_runs_without_violations(watched, world):
    page = watched
    visit(page, "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    visit(page, "/admin/")
    visit(page, "/admin/accounts/user/")
    visit(page, f"/admin/accounts/user/{world.admin.pk}/change/")
    visit(page, "/admin/places/area/add/")
    assert violations(page) == []
