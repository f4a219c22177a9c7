"""In a real browser at phone size: the profile card is readable and nothing is wider than
the screen; staff record a figure from their phone and the card shows it."""

import os
from datetime import date

import pytest

from conftest import browser_login
from places import actions
from places.models import AreaFigure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("YISHI_SCREENSHOTS")  # a folder to keep the screenshots in


def test_the_card_on_a_phone_and_an_edit_from_it(world, phone_page):
    actions.record_figure(
        world.staff,
        world.c1,
        kind=AreaFigure.Kind.RESIDENT_POPULATION,
        value=20000,
        qualifier=AreaFigure.Qualifier.NEARLY,
        as_of=date(2026, 6, 30),
        source="街道办事处",
    )
    actions.add_facility(
        world.staff,
        world.c1,
        kind="park",
        name="金水园（容水公园）",
        as_of=date(2026, 6, 30),
        source="社区",
    )
    phone_page.goto("/c/C1/")
    card = phone_page.locator("#area-profile")
    assert "近2万人" in card.inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    if SHOTS:
        phone_page.screenshot(path=f"{SHOTS}/profile_community_phone.png", full_page=True)

    browser_login(phone_page, "staff")
    phone_page.goto("/places/a/C1/profile/edit/")
    figure = phone_page.locator("form:has(input[value=figure])")
    figure.locator("select[name=figure-kind]").select_option("households")
    figure.locator("input[name=figure-value]").fill("6800")
    figure.locator("select[name=figure-qualifier]").select_option("about")
    figure.locator("input[name=figure-as_of]").fill("2026-09-30")
    figure.locator("input[name=figure-source]").fill("社区入户统计")
    figure.locator("button[type=submit]").click()
    phone_page.wait_for_load_state()
    assert "约6800户" in phone_page.locator("#area-profile").inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
