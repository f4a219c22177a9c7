"""A community's contact cards in Chromium: printed to A4 PDF one page per compound, and the QR
code, read back by a decoder, opens the resident form with community and compound chosen."""

import io
import re
from urllib.parse import urlencode

import pytest
from PIL import Image

from concerns.tests.conftest import fill_contacts
from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def decode_qr(png: bytes) -> list[str]:
    import zxingcpp

    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.fixture
def filled(world, places):
    # Hours with a lunch break: the longest line a card prints.
    fill_contacts(world, office_hours="周一至周五 8:30—12:00，14:30—18:00")
    return places


def test_cards_print_one_a4_page_per_compound_and_the_qr_code_opens_the_form(
    page, phone_page, world, filled, live_server, tmp_path
):
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    browser_login(page, "secretary")
    page.goto("/concerns/cards/C1/print/")
    assert page.locator(".sheet").count() == 2
    assert "一号社区 居民联系卡" in page.inner_text(".sheet h1")

    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf) == 2
    # One compound alone is one page.
    garden = filled["garden"]
    page.goto(f"/concerns/cards/C1/print/{garden.pk}/")
    assert pdf_pages(page.pdf(format="A4", print_background=True)) == 1

    # The QR code on the card, as a phone camera would read it.
    expected = f"{live_server.url}/concerns/?" + urlencode(
        {"community": "C1", "compound": garden.pk}
    )
    texts = decode_qr(page.locator(".qr-form img").screenshot())
    assert texts == [expected]
    assert decode_qr(page.locator(".qr-wechat img").screenshot()) == [
        "http://weixin.qq.com/r/abcDEF123"
    ]
    # What the printer gets, as a picture to look at.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=str(tmp_path / "card.png"), full_page=True)
    assert violations == []

    # The resident scans it: the form opens with the community and compound chosen.
    phone_page.goto(texts[0])
    assert phone_page.input_value("#id_community") == "C1"
    assert phone_page.input_value("#id_compound") == str(garden.pk)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_print_button_records_the_print_for_the_staff_page(page, world, filled):
    browser_login(page, "staff")
    page.goto("/concerns/cards/C1/")
    row = page.locator(f"tr[data-compound='{filled['garden'].pk}']")
    assert "未打印" in row.inner_text()
    row.locator("button[type=submit]").click()
    page.wait_for_url("**/print/*/?print=1")
    page.goto("/concerns/cards/C1/")
    assert "上次打印：" in row.inner_text() and "staff" in row.inner_text()
    assert "未打印" in page.locator(f"tr[data-compound='{filled['east'].pk}']").inner_text()
