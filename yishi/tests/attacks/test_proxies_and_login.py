"""Issue 13, items 5, 7 and 10 replayed: forged client addresses, one user's failures locking
everyone out, the admin login without a limit, and DEBUG pages showing the URLconf and settings.

Each test makes the attacker's request and asserts that it now fails.
"""

import ipaddress
import json
import re

import pytest
from django.http import HttpRequest
from django.urls import include, path

from conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"  # the site's own nginx


def boom(request: HttpRequest):
    raise RuntimeError("a bug in a view")


# This module doubles as a URLconf: the site's URLs, plus a view that fails (the forced 500).
urlpatterns = [path("boom/", boom), path("", include("yishi.urls"))]


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = (ipaddress.ip_network(PROXY),)


def submit(client, **extra):
    body = {"community": "C1", "content": "自来水发黄了", "phone": "13800138000"}
    return client.post(
        "/api/v1/concerns", json.dumps(body), content_type="application/json", **extra
    )


def login(client, username, password, address, url="/accounts/login/", **extra):
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


# ---- Item 5: a forged X-Forwarded-For does not change the address that is counted.


@pytest.mark.parametrize("proxies", [(), (PROXY,)])
def test_spoofed_forwarded_for_from_an_untrusted_peer_does_not_bypass_the_submit_limit(
    client, world, settings, proxies
):
    settings.TRUSTED_PROXIES = tuple(ipaddress.ip_network(p) for p in proxies)
    settings.CONCERN_SUBMIT_PER_IP = 2
    settings.CONCERN_SUBMIT_PER_PHONE = 100
    answers = [
        submit(
            client, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        ).status_code
        for n in range(4)
    ]
    assert answers == [201, 201, 429, 429]


def test_through_the_trusted_proxy_the_rightmost_untrusted_entry_counts(
    client, world, settings, behind_proxy
):
    settings.CONCERN_SUBMIT_PER_IP = 2
    settings.CONCERN_SUBMIT_PER_PHONE = 100
    # The client writes whatever it likes on the left; nginx appends the address it saw.
    forged = [f"1.2.3.{n}, 198.51.100.7" for n in range(4)]
    answers = [
        submit(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header).status_code
        for header in forged
    ]
    assert answers == [201, 201, 429, 429]
    # Another resident behind the same proxy has their own allowance.
    other = submit(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other.status_code == 201


# ---- Item 5: the login throttle counts per account and per address, never globally.


def test_five_failed_logins_for_one_user_do_not_lock_out_other_users(client, world):
    # Without YISHI_TRUSTED_PROXIES every request behind nginx comes from the proxy's address.
    for _ in range(5):
        assert "_auth_user_id" not in login(client, "staff", "wrong", PROXY).wsgi_request.session
    response = login(client, "grid_worker", PASSWORD, PROXY)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.grid_worker.pk)


def test_one_username_failing_from_many_addresses_locks_only_that_username(
    client, world, behind_proxy
):
    for n in range(5):
        login(client, "staff", "wrong", PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    refused = login(client, "staff", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="198.51.100.99")
    page = refused.content.decode()
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert "该账号登录失败次数过多" in page
    assert re.search(r"请在 \d\d:\d\d 之后（约 \d+ 分钟后）再试", page)
    # The same addresses still serve everyone else.
    ok = login(client, "grid_worker", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="198.51.100.0")
    assert ok.status_code == 302


def test_many_usernames_from_one_address_lock_only_that_address(
    client, world, settings, behind_proxy
):
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for n in range(settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS):
        login(client, f"guess{n}", "wrong", PROXY, **attacker)
    refused = login(client, "staff", PASSWORD, PROXY, **attacker)
    assert "_auth_user_id" not in client.session
    assert "您所在网络地址的登录失败次数过多" in refused.content.decode()
    # The right password from elsewhere, for that very user, works.
    ok = login(client, "staff", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="198.51.100.5")
    assert ok.status_code == 302


# ---- Item 7: the admin login goes through the same throttle.


def test_the_admin_login_tried_ten_times_is_refused(client, world):
    pages = [
        login(client, "admin", f"guess-{n}", "203.0.113.66", url="/admin/login/").content.decode()
        for n in range(10)
    ]
    assert all("该账号登录失败次数过多" not in page for page in pages[:5])
    assert all("该账号登录失败次数过多" in page for page in pages[5:])
    # Even the right password is refused now, from any address.
    right = login(client, "admin", PASSWORD, "198.51.100.5", url="/admin/login/")
    assert right.status_code == 200 and "_auth_user_id" not in client.session
    assert "该账号登录失败次数过多" in right.content.decode()


def test_the_admin_login_counts_with_the_staff_login(client, world):
    for _ in range(3):
        login(client, "admin", "wrong", "203.0.113.66")
    for _ in range(2):
        login(client, "admin", "wrong", "203.0.113.66", url="/admin/login/")
    assert (
        "该账号登录失败次数过多"
        in login(client, "admin", PASSWORD, "198.51.100.5").content.decode()
    )


# ---- Item 10: DEBUG is off unless asked for; error pages show nothing of the site's inside.


def test_debug_is_off_unless_set():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("YISHI_")}
    env["DJANGO_SETTINGS_MODULE"] = "yishi.settings"
    script = (
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.urls(__name__)
def test_a_404_does_not_list_the_urlconf(client, world, settings):
    settings.DEBUG = True  # the page the attacker saw, to show the check can fail
    assert "URLconf" in client.get("/no-such-page/").content.decode()
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page
    assert "URLconf" not in page and "api/v1/" not in page and "admin/" not in page


@pytest.mark.urls(__name__)
def test_a_forced_500_shows_no_settings(client, world, settings):
    client.raise_request_exception = False
    response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "出错了" in page
    for secret in (
        "SECRET_KEY",
        settings.SECRET_KEY,
        "Traceback",
        "INSTALLED_APPS",
        "RuntimeError",
    ):
        assert secret not in page
