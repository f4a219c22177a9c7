"""A resident, on a phone, follows the story of their concern by tracking code and rates it."""

import pytest

from accountability.models import Evaluation
from accountability.tests.conftest import codes_of


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_follows_the_story_by_tracking_code_and_rates(phone_page, done_item, issue):
    code = codes_of(issue)[0]
    page = phone_page
    page.goto("/accountability/story/")
    page.fill("#id_code", code)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert code in page.url
    body = page.inner_text("main")
    assert issue.title in body
    assert done_item.title in body
    assert "已开始冲洗" in body  # the owner's progress, on the timeline
    page.check("input[name=rating][value=basically]")
    page.fill("textarea[name=comment]", "水质好多了")
    page.click(f"#rate-{done_item.pk} button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".msg-success").first.is_visible()
    evaluation = Evaluation.objects.get(action_item=done_item)
    assert evaluation.rating == Evaluation.Rating.BASICALLY
    assert evaluation.comment == "水质好多了"
    # Back on the story: the rating is counted and the form is gone.
    assert page.locator(f"#rate-{done_item.pk} form").count() == 0
    page.screenshot(path="/tmp/story_phone.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_rates_a_matter_settled_in_the_grid_from_the_tracking_page(phone_page, world):
    from accountability.tests.test_matter_ratings import grid_settled

    issue = grid_settled(world, residents=2)
    code = codes_of(issue)[0]
    page = phone_page
    page.goto(f"/concerns/t/{code}/")
    # htmx replaces the link with the rating box.
    box = page.locator("[data-testid=rate-box]")
    box.wait_for()
    assert "宠物医院整改" in page.inner_text("main")
    page.click("text=基本满意")
    page.fill("#rate-box textarea[name=comment]", "门口干净了")
    page.click("#rate-box button[type=submit]")
    page.locator("[data-testid=rated]").wait_for()
    assert "谢谢" in page.inner_text("#rate-box")
    evaluation = Evaluation.objects.get(issue=issue)
    assert (evaluation.rating, evaluation.comment) == ("basically", "门口干净了")
    assert evaluation.action_item is None
    # The box fits the phone: nothing wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path="/tmp/rate_phone.png", full_page=True)
    # Reloaded, the page remembers: no second form.
    page.reload()
    page.locator("[data-testid=rated]").wait_for()
    assert page.locator("#rate-box form").count() == 0
