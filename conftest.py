"""Fixtures shared by every app's tests.

`world` is a small, readable area tree with one user per role (like healthchecks' alice/bob):
    d (district) → s (street) → c1, c2 (communities) → g1, g2 (grids of c1), g3 (grid of c2)
`water_company` (a utility serving c1) and `water_rep`, its representative, own action items.
`demo` loads the seed's places, organisations and accounts (the demo loader).
`migrate_to` moves the database to older migrations, for tests of data migrations.
"""

import io
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from accounts.models import Organisation, Role, User
from places.models import Area

PASSWORD = "correct-horse-battery"

# A day boundary in the future (a multiple of every counter window: 60 s, 10 and 15 min, 1 h).
_DAY = 86400
_FUTURE_DAY = 1_900_000_000 - 1_900_000_000 % _DAY
_TEST_DAYS = itertools.count()


@pytest.fixture(autouse=True)
def _counter_windows_start_with_each_test(monkeypatch):
    """The shared counters use fixed windows aligned to the clock. Each test gets its own day,
    starting at a window's start, so a test's requests never straddle two windows (a test
    crossing a minute boundary would see its count start again) and no count carries over
    from an earlier test. The clock still runs: waits and Retry-After are real."""
    from core import ratelimit

    anchor = _FUTURE_DAY + _DAY * next(_TEST_DAYS)
    started = time.time()

    class Clock:
        monotonic = staticmethod(time.monotonic)

        @staticmethod
        def time() -> float:
            return anchor + (time.time() - started)

    monkeypatch.setattr(ratelimit, "time", Clock)


@dataclass
class World:
    district: Area
    street: Area
    c1: Area
    c2: Area
    g1: Area
    g2: Area
    g3: Area
    other_district: Area
    property_company: Organisation
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def make_user(username: str, *roles: tuple[str, Area | None, Organisation | None]) -> User:
    user = User.objects.create_user(username, password=PASSWORD, full_name=username)
    for kind, area, organisation in roles:
        Role.objects.create(user=user, kind=kind, area=area, organisation=organisation)
    return user


@pytest.fixture
def world(db) -> World:
    district = Area.objects.create(code="D1", name="测试区", kind=Area.Kind.DISTRICT)
    street = Area.objects.create(code="S1", name="测试街道", kind=Area.Kind.STREET, parent=district)
    c1 = Area.objects.create(code="C1", name="一号社区", kind=Area.Kind.COMMUNITY, parent=street)
    c2 = Area.objects.create(code="C2", name="二号社区", kind=Area.Kind.COMMUNITY, parent=street)
    g1 = Area.objects.create(code="C1G1", name="一号社区第一网格", kind=Area.Kind.GRID, parent=c1)
    g2 = Area.objects.create(code="C1G2", name="一号社区第二网格", kind=Area.Kind.GRID, parent=c1)
    g3 = Area.objects.create(code="C2G1", name="二号社区网格", kind=Area.Kind.GRID, parent=c2)
    other = Area.objects.create(code="D2", name="别的区", kind=Area.Kind.DISTRICT)
    company = Organisation.objects.create(
        name="测试物业公司", kind=Organisation.Kind.PROPERTY_COMPANY
    )
    company.areas.add(c1)
    w = World(district, street, c1, c2, g1, g2, g3, other, company)
    w.users = {
        "grid_worker": make_user("grid_worker", (Role.Kind.GRID_WORKER, g1, None)),
        "grid_worker2": make_user("grid_worker2", (Role.Kind.GRID_WORKER, g2, None)),
        "volunteer": make_user("volunteer", (Role.Kind.VOLUNTEER, g1, None)),
        "staff": make_user("staff", (Role.Kind.COMMUNITY_STAFF, c1, None)),
        "secretary": make_user("secretary", (Role.Kind.SECRETARY, c1, None)),
        "staff2": make_user("staff2", (Role.Kind.COMMUNITY_STAFF, c2, None)),
        "street_officer": make_user("street_officer", (Role.Kind.STREET_OFFICER, street, None)),
        "district_officer": make_user(
            "district_officer", (Role.Kind.DISTRICT_OFFICER, district, None)
        ),
        "cppcc": make_user("cppcc", (Role.Kind.CPPCC_MEMBER, district, None)),
        "org_rep": make_user("org_rep", (Role.Kind.ORG_REPRESENTATIVE, None, company)),
        "outsider": make_user("outsider", (Role.Kind.COMMUNITY_STAFF, other, None)),
        "nobody": make_user("nobody"),
        "admin": User.objects.create_superuser("admin", "", PASSWORD),
    }
    return w


@pytest.fixture
def water_company(world) -> Organisation:
    """A utility serving c1, to own action items."""
    org = Organisation.objects.create(name="测试自来水公司", kind=Organisation.Kind.UTILITY)
    org.areas.add(world.c1)
    return org


@pytest.fixture
def water_rep(water_company) -> User:
    return make_user("water_rep", (Role.Kind.ORG_REPRESENTATIVE, None, water_company))


@pytest.fixture
def demo(db) -> None:
    """The seed's places, organisations and accounts, as `make run` loads them."""
    from accounts import demo as accounts_demo
    from places import demo as places_demo

    out = io.StringIO()
    places_demo.load(out)
    accounts_demo.load(out)


@pytest.fixture
def migrate_to(transactional_db):
    """Moves the test database to the migrations named (returning the apps as they were
    then), for tests of data migrations; back to the latest ones after the test."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    yield migrate
    migrate(leaf)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # Argon2 is deliberately slow; tests that check hashing itself set it back.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# ---- Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="session")
def browser():
    import os
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        if os.environ.get("YISHI_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (set-up, assertions) are still synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live_server):
    """A desktop page with Chinese as the browser's language."""
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized page (390×844, touch), as a resident inside WeChat would have."""
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, **PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def browser_login(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
