"""The basics every page has: a favicon, a web app manifest, a preview card for a shared link
(Open Graph, as WeChat and others read it) and a skip link for keyboard users."""

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

pytestmark = pytest.mark.django_db


class Head(HTMLParser):
    """The <meta>/<link> tags of a page and the first focusable element of its body."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.first_focusable: dict[str, str] | None = None
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "meta":
            for key in ("property", "name"):
                if key in a:
                    self.meta[a[key]] = a.get("content", "")
        elif tag == "link":
            self.links.append(a)
        elif tag == "body":
            self.in_body = True
        if self.in_body and self.first_focusable is None and tag in ("a", "button", "input"):
            self.first_focusable = {"tag": tag, **a}


def head_of(client, url: str, **extra) -> Head:
    response = client.get(url, **extra)
    assert response.status_code == 200
    parsed = Head()
    parsed.feed(response.content.decode())
    return parsed


def test_favicon_ico_is_an_icon_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert "max-age=86400" in response["Cache-Control"]
    icon = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32)} <= set(icon.info["sizes"])
    # The site's red, not a blank or default icon.
    red = icon.convert("RGB").getpixel((icon.width // 8, icon.height // 2))
    assert all(abs(a - b) <= 3 for a, b in zip(red, (180, 35, 42), strict=True)), red


def test_favicon_refuses_writes(client):
    assert client.post("/favicon.ico").status_code == 405


def test_pages_link_the_svg_icon_png_fallback_and_manifest(client):
    links = {
        (link["rel"], link.get("type", "")): link["href"] for link in head_of(client, "/").links
    }
    svg = links[("icon", "image/svg+xml")]
    assert svg.endswith("yishi/favicon.svg")
    assert links[("icon", "image/png")].endswith("yishi/icon-192.png")
    assert links[("apple-touch-icon", "")].endswith("yishi/apple-touch-icon.png")
    assert links[("manifest", "")] == "/manifest.webmanifest"
    mark = Path(finders.find("yishi/favicon.svg")).read_text(encoding="utf-8")
    assert "议" in mark and "#b4232a" in mark


def test_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "议事"
    assert manifest["short_name"] == "议事"
    assert manifest["theme_color"] == "#b4232a"
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    # Every icon it names is a static file of the size it claims.
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/")
        found = finders.find(icon["src"].removeprefix("/static/"))
        assert found, icon["src"]
        if icon["type"] == "image/png":
            width, height = Image.open(found).size
            assert f"{width}x{height}" == icon["sizes"]


def test_manifest_in_english_for_an_english_browser(client):
    manifest = json.loads(client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en").content)
    assert manifest["name"] == "Yishi"
    assert manifest["lang"] == "en"


def test_open_graph_uses_the_request_host_without_a_site_url(client, settings):
    settings.SITE_URL = ""
    meta = head_of(client, "/?q=secret").meta
    assert meta["og:title"] == "议事·城乡社区协商平台"
    assert meta["og:url"] == "http://testserver/"  # the query string is not put in the card
    assert meta["og:image"] == "http://testserver/static/yishi/icon-512.png"
    assert meta["og:description"] == meta["description"]
    assert meta["og:description"].startswith("居民说事")
    assert meta["og:site_name"] == "议事"
    assert meta["theme-color"] == "#b4232a"


def test_open_graph_prefers_the_configured_site_url(client, settings):
    settings.SITE_URL = "https://yishi.example.cn/"
    settings.ALLOWED_HOSTS = ["internal"]
    meta = head_of(client, "/communities/", HTTP_HOST="internal:8000").meta
    assert meta["og:url"] == "https://yishi.example.cn/communities/"
    assert meta["og:image"] == "https://yishi.example.cn/static/yishi/icon-512.png"


def test_a_community_page_shares_its_own_title_and_description(client, world):
    meta = head_of(client, "/c/C1/").meta
    assert meta["og:title"] == "一号社区 · 议事"
    assert "一号社区" in meta["og:description"]
    assert meta["og:url"] == "http://testserver/c/C1/"


def test_skip_link_is_the_first_focusable_element_and_reaches_main(client):
    page = head_of(client, "/")
    assert page.first_focusable is not None
    assert page.first_focusable["tag"] == "a"
    assert page.first_focusable["class"] == "skip-link"
    assert page.first_focusable["href"] == "#main"
    html = client.get("/").content.decode()
    assert re.search(r'<a class="skip-link" href="#main">跳到正文</a>', html)
    assert re.search(r'<main [^>]*id="main"', html)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_skip_link_shows_on_tab_and_moves_focus_to_main(phone_page):
    phone_page.goto("/")
    link = phone_page.locator("a.skip-link")
    assert link.bounding_box()["y"] < 0  # out of sight until needed
    phone_page.keyboard.press("Tab")
    assert phone_page.evaluate("document.activeElement.className") == "skip-link"
    assert link.bounding_box()["y"] >= 0
    phone_page.keyboard.press("Enter")
    assert phone_page.evaluate("document.activeElement.id") == "main"
