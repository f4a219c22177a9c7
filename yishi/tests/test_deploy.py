"""Production-safe defaults: `check --deploy` is clean with README's production settings, the
local secret key is made once and kept private, and the security headers are sent."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from yishi.settings import local_secret_key

ROOT = Path(__file__).resolve().parents[2]

# README's "Running in production" environment, plus HTTPS.
PRODUCTION = {
    "YISHI_DEBUG": "0",
    "YISHI_SECRET_KEY": "x7Qp2vL9rT4mW8zK1nB6cY3hF5jD0sG-aE_uR2iO9pLkJ4tM7wQ",
    "YISHI_ALLOWED_HOSTS": "yishi.example.gov.cn",
    "YISHI_CSRF_TRUSTED_ORIGINS": "https://yishi.example.gov.cn",
    "DATABASE_URL": "postgresql://yishi:PASSWORD@db-host:5432/yishi",
    "YISHI_TRUSTED_PROXIES": "127.0.0.1",
    "YISHI_HTTPS": "1",
}


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; production never does.
    dropped = ("YISHI_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_the_production_settings():
    result = check_deploy(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_without_https():
    result = check_deploy(**(PRODUCTION | {"YISHI_HTTPS": "0"}))
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_the_local_secret_key_is_made_once_and_private(tmp_path):
    path = tmp_path / "var" / "secret_key"
    first = local_secret_key(path)
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_secret_key(path) == first
    assert list(path.parent.iterdir()) == [path]  # no draft left behind


def test_the_local_secret_key_is_kept_out_of_git():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "var/secret_key"], cwd=ROOT, check=False
    ).returncode
    assert ignored == 0


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].startswith("'self'")
    assert "unsafe" not in directives["script-src"]
    assert "unsafe" not in directives["style-src"]
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert directives["img-src"] == "'self' data: blob:"


def settings_under(**env: str) -> dict:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; production never does.
    dropped = ("YISHI_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "names = ['SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS',"
        " 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_PROXY_SSL_HEADER', 'DEBUG'];"
        "print(json.dumps({n: getattr(s, n) for n in names}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "yishi.settings"} | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_https_turns_on_redirect_hsts_and_secure_cookies():
    assert settings_under(**PRODUCTION) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "DEBUG": False,
    }
    # Without trusted proxies, no header is believed about the scheme.
    alone = settings_under(**(PRODUCTION | {"YISHI_TRUSTED_PROXIES": ""}))
    assert alone["SECURE_PROXY_SSL_HEADER"] is None
    # `make run` on http://127.0.0.1: cookies must travel over plain HTTP, or nobody logs in.
    local = settings_under()
    assert not (local["SESSION_COOKIE_SECURE"] or local["CSRF_COOKIE_SECURE"])
    assert not (local["SECURE_SSL_REDIRECT"] or local["DEBUG"])
