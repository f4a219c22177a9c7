"""Irreversible steps ask first: 办结, 上报, 报告办结, 销号, merging, returning, shelving and
closing a meeting or a vote carry a data-confirm question (site.js asks it; dismissing it sends
nothing), and without JavaScript a required checkbox stands in for the question."""

import pytest
from django.urls import reverse

from accountability.models import ActionItem
from concerns.models import Issue
from concerns.tests.conftest import make_issue
from conftest import PASSWORD, browser_login


def grid_issue(world):
    issue = make_issue(world.c1, "楼道灯不亮", grid=world.g1)
    Issue.objects.filter(pk=issue.pk).update(level=Issue.Level.GRID)
    return issue


def confirm_of(html: str, action_url: str) -> str:
    """The data-confirm question of the form posting to `action_url` ("" when none)."""
    at = html.index(f'action="{action_url}"')
    tag = html[html.rindex("<form", 0, at) : html.index(">", at)]
    if "data-confirm=" not in tag:
        return ""
    return tag.split('data-confirm="', 1)[1].split('"', 1)[0]


def test_the_irreversible_forms_of_an_issue_and_an_item_ask_first(world, client, item, water_rep):
    issue = grid_issue(world)
    client.force_login(world.grid_worker)
    html = client.get(reverse("concerns:issue", args=[issue.pk])).content.decode()
    for action in ("settle", "escalate"):
        assert confirm_of(html, reverse("concerns:issue_action", args=[issue.pk, action]))
    # Accepting or recording a visit is not irreversible: no question.
    assert not confirm_of(html, reverse("concerns:issue_action", args=[issue.pk, "visit"]))
    assert "<noscript>" in html and 'name="confirmed" required' in html
    client.force_login(water_rep)
    html = client.get(reverse("accountability:item", args=[item.pk])).content.decode()
    assert "确认报告办结" in confirm_of(html, reverse("accountability:done", args=[item.pk]))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_settling_asks_and_a_no_sends_nothing(phone_page, world):
    issue = grid_issue(world)
    page = phone_page
    browser_login(page, "grid_worker", PASSWORD)
    page.goto(reverse("concerns:issue", args=[issue.pk]))
    page.fill("#settle-outcome", "已更换楼道灯泡")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.click("form[data-confirm] button:has-text('办结')")
    page.wait_for_timeout(300)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.ACCEPTED and questions and "确认办结" in questions[0]
    page.screenshot(path="var/screenshots/confirm-settle-phone.png")
    page.once("dialog", lambda d: answer(d, True))
    with page.expect_navigation():
        page.click("form[data-confirm] button:has-text('办结')")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SETTLED and len(questions) == 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reporting_an_item_done_asks_first(page, world, item, water_rep):
    browser_login(page, "water_rep", PASSWORD)
    page.goto(reverse("accountability:item", args=[item.pk]))
    page.once("dialog", lambda d: d.dismiss())
    page.click("button:has-text('报告办结')")
    page.wait_for_timeout(300)
    item.refresh_from_db()
    assert item.status == ActionItem.Status.LISTED
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("button:has-text('报告办结')")
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_a_required_box_stands_in_for_the_question(browser, live_server, world):
    issue = grid_issue(world)
    context = browser.new_context(
        locale="zh-CN", base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    try:
        browser_login(page, "grid_worker", PASSWORD)
        page.goto(reverse("concerns:issue", args=[issue.pk]))
        form = page.locator("form[data-confirm]").filter(has=page.locator("#settle-outcome"))
        page.fill("#settle-outcome", "已更换楼道灯泡")
        form.locator("button[type=submit]").click()
        page.wait_for_timeout(300)
        issue.refresh_from_db()
        assert issue.status == Issue.Status.ACCEPTED  # the box is not ticked: not sent
        form.locator("input[name=confirmed]").check()
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        issue.refresh_from_db()
        assert issue.status == Issue.Status.SETTLED
    finally:
        context.close()
