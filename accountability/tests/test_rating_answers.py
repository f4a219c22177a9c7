"""Every rating gets its answer in place: what became of the matter, and its status as it is
now, in the box (htmx, with the page's status badge swapped too) or on the tracking page the
plain form returns to. The badge and the box never say different things."""

import re

import pytest
from django.urls import reverse

from accountability import actions
from accountability.tests.conftest import codes_of
from accountability.tests.test_matter_ratings import grid_settled
from concerns.models import Issue

AGAIN_GRID = "已重新交办，网格员将再次处理"


def rate(client, code, htmx=True, **data):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("accountability:rate", args=[code]), data, **headers)


def badge(html: str) -> str:
    found = re.search(r'<span id="issue-status"[^>]*>([^<]*)</span>', html)
    assert found, html
    return found.group(1)


def test_dissatisfied_that_reopens_says_so_with_the_new_status(world, client):
    issue = grid_settled(world, residents=1)
    response = rate(client, codes_of(issue)[0], issue=issue.pk, rating="dissatisfied")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="rating-answer"' in html and AGAIN_GRID in html
    issue.refresh_from_db()
    assert issue.status == Issue.Status.ACCEPTED
    # The box names the new status, and swaps the page's badge to the same word.
    assert "当前状态" in html and issue.get_status_display() in html
    assert 'hx-swap-oob="true"' in html and badge(html) == issue.get_status_display()


def test_dissatisfied_below_the_rule_is_recorded_and_says_when_it_would_reopen(world, client):
    issue = grid_settled(world, residents=3)
    html = rate(client, codes_of(issue)[0], issue=issue.pk, rating="dissatisfied").content.decode()
    assert AGAIN_GRID not in html
    assert "已记录您的不满意评价" in html and "50%" in html
    assert badge(html) == Issue.Status.SETTLED.label or badge(html) == "已办结"


def test_satisfied_thanks_and_keeps_the_status(world, client):
    issue = grid_settled(world, residents=1)
    html = rate(client, codes_of(issue)[0], issue=issue.pk, rating="satisfied").content.decode()
    assert "谢谢，您的评价已记录" in html and badge(html) == "已办结"


def test_without_javascript_the_tracking_page_answers_with_the_new_status(world, client):
    issue = grid_settled(world, residents=1)
    code = codes_of(issue)[0]
    response = rate(client, code, htmx=False, issue=issue.pk, rating="dissatisfied")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert AGAIN_GRID in page
    assert badge(page) == "已受理"


def test_an_item_reopened_by_its_residents_says_the_owner_takes_it_up_again(
    world, client, done_item, issue
):
    codes = codes_of(issue)  # 5 residents: 3 dissatisfied pass the 50 % rule
    for code in codes[:2]:
        actions.rate_item(done_item, tracking_code=code, rating="dissatisfied")
    html = rate(client, codes[2], item=done_item.pk, rating="dissatisfied").content.decode()
    assert "已重新交办，责任单位将再次办理" in html
    done_item.refresh_from_db()
    assert done_item.status == "reopened"
    assert badge(html) == "挂牌落实中"


def test_an_item_awaiting_ratings_is_not_called_settled_beside_in_action(
    world, client, done_item, issue
):
    """挂牌落实中 on the badge and the item "done" in the box: the box says the community
    still verifies it, and the badge line says the resident's rating is awaited."""
    code = codes_of(issue)[0]
    box = client.get(
        reverse("accountability:rate", args=[code]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert badge(box) == "挂牌落实中"
    assert "待您评价" in box and "验收后销号" in box
    assert "报告已办结" not in box


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_the_answer_and_the_new_status_come_without_a_reload(phone_page, world):
    issue = grid_settled(world, residents=1)
    page = phone_page
    page.goto(reverse("concerns:track_code", args=[codes_of(issue)[0]]))
    page.wait_for_selector("[data-testid=rate-box]")
    assert page.inner_text("[data-testid=status]") == "已办结"
    page.evaluate("() => { window.notReloaded = true; }")
    page.check("#rate-box input[name=rating][value=dissatisfied]")
    page.click("#rate-box button[type=submit]")
    page.wait_for_selector("[data-testid=rating-answer]")
    assert AGAIN_GRID in page.inner_text("[data-testid=rating-answer]")
    assert page.inner_text("[data-testid=status]") == "已受理"
    assert page.evaluate("() => window.notReloaded") is True
    page.screenshot(path="var/screenshots/rating-answer-phone.png", full_page=True)


def test_the_tracking_page_after_a_reopening_tells_it_and_drops_the_old_outcome(world, client):
    """Reloaded later, the resident's page says the matter went back to be handled, no longer
    shows the outcome they rejected as if it stood, and offers the story without a rating."""
    issue = grid_settled(world, residents=1)
    outcome = issue.outcome
    code = codes_of(issue)[0]
    rate(
        client, code, issue=issue.pk, rating="dissatisfied", comment="水还是黄的，张三家13912345678"
    )
    response = client.get(reverse("concerns:track") + f"?code={code}", follow=True)
    html = response.content.decode()
    timeline = html[html.index('<ol class="timeline">') :]
    assert "<b>已重新交办</b>" in timeline  # the step, in residents' words
    assert outcome and f"办理结果：{outcome}" not in html
    assert "水还是黄的" not in html and "13912345678" not in html  # the comment stays staff's
