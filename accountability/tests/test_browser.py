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
