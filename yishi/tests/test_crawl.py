"""Walk the site as each demo account (and as an anonymous visitor) sees it.

Starting from the home page, the workbench and every community page, follow the links the
site shows (GET only, same host) and check what every person would meet: no server error,
no link that answers 404 (or 403), every HTML page in Chinese (<html lang="zh-hans">) with
no template syntax left un-rendered, and no full mainland mobile number on any page an
anonymous visitor can reach.

The demo data is loaded once for the module (inside a transaction rolled back at the end);
each role's walk runs in its own savepoint, so what one walk writes (sessions, rate-limit
counters) does not leak into the next.
"""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest

from accounts.models import User
from places.models import Area

ROLES = [
    None,  # anonymous
    "admin",
    "grid_jclw",
    "grid_jclw1",
    "volunteer_jclw",
    "staff_jclw",
    "secretary_jclw",
    "secretary_wlsx",
    "staff_yhw",
    "secretary_jinshan",
    "street_cczl",
    "street_shxl",
    "district_jf",
    "cppcc_jf",
    "cppcc_py",
    "cppcc_pl",
    "property_jclw",
    "water_yc",
    "sports_jf",
    "enforcement_jf",
]

PAGES_PER_ROLE = 150
SKIPPED_PREFIXES = ("/admin/", "/api/v1/docs", "/i18n/", "/static/", "/media/")
SKIPPED_WORDS = ("logout",)
NOT_PARSED_SUFFIXES = (".xlsx", ".csv", ".json", ".xml", ".png", ".jpg", ".pdf")

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)
HTML_LANG = re.compile(r'<html[^>]*\blang="zh-hans"', re.I)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_in(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def internal(href: str, base_path: str) -> str | None:
    """The site-relative URL of a link, or None when it leaves the site or is not crawled."""
    href, _ = urldefrag(href.strip())
    if not href or href.startswith(("mailto:", "tel:", "javascript:", "sms:")):
        return None
    parts = urlsplit(href)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    if parts.netloc and parts.netloc not in ("testserver", "localhost"):
        return None
    path = parts.path
    if not path:
        path = base_path
    elif not path.startswith("/"):
        path = base_path.rsplit("/", 1)[0] + "/" + path
    if path.startswith(SKIPPED_PREFIXES) or any(word in path for word in SKIPPED_WORDS):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def pattern_of(url: str) -> str:
    """Pages that differ only by ids (or by filter values) are visited once."""
    parts = urlsplit(url)
    if parts.path.endswith(NOT_PARSED_SUFFIXES):
        return "file " + parts.path.rsplit(".", 1)[-1]
    path = re.sub(r"\d+", "N", parts.path)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


def crawl(client, starts: list[str], anonymous: bool) -> list[str]:
    failures: list[str] = []
    seen: set[str] = set()
    queue: deque[tuple[str, str]] = deque((url, "(start)") for url in starts)
    starts_seen: set[str] = set()
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        url, referrer = queue.popleft()
        # Every start page is visited (each community's own page), other pages once per pattern.
        key = pattern_of(url)
        if referrer == "(start)":
            if url in starts_seen:
                continue
            starts_seen.add(url)
        elif key in seen:
            continue
        seen.add(key)
        visited += 1
        response = client.get(url)
        status = response.status_code
        if status >= 500:
            failures.append(f"{status} {url} (linked from {referrer})")
            continue
        if status in (403, 404) and referrer != "(start)":
            failures.append(f"{status} {url} (linked from {referrer})")
            continue
        if status in (301, 302, 303, 307, 308):
            target = internal(response["Location"], urlsplit(url).path)
            if target:
                queue.append((target, url))
            continue
        if status != 200:
            continue
        content_type = response.get("Content-Type", "")
        if "text/html" not in content_type or url.split("?")[0].endswith(NOT_PARSED_SUFFIXES):
            continue
        html = response.content.decode()
        if not HTML_LANG.search(html) and "<html" in html:
            failures.append(f'lang {url} (no <html lang="zh-hans">)')
        visible = SCRIPT.sub("", html)
        for syntax in ("{{", "{%"):
            if syntax in visible:
                at = visible.index(syntax)
                failures.append(f"template {url} ({visible[at : at + 40]!r})")
        if anonymous:
            for phone in set(PHONE.findall(visible)):
                failures.append(f"phone {url} (shows {phone})")
        for href in links_in(html):
            target = internal(href, urlsplit(url).path)
            if target and pattern_of(target) not in seen:
                queue.append((target, url))
    return failures


@pytest.fixture(scope="module")
def demo_site(whole_demo, django_db_blocker):
    """The demo's community codes."""
    with django_db_blocker.unblock():
        return list(
            Area.objects.filter(kind=Area.Kind.COMMUNITY)
            .order_by("path")
            .values_list("code", flat=True)
        )


@pytest.mark.parametrize("username", ROLES, ids=[name or "anonymous" for name in ROLES])
def test_every_link_works_for_the_person_it_is_shown_to(demo_site, db, client, username):
    if username:
        client.force_login(User.objects.get(username=username))
    starts = ["/", "/workbench/"] + [f"/c/{code}/" for code in demo_site]
    failures = crawl(client, starts, anonymous=username is None)
    role = username or "anonymous"
    assert not failures, f"{role} meets {len(failures)} problem(s):\n" + "\n".join(failures)
