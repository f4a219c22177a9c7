import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core.management import CommandError, call_command

from accounts.models import ApiToken, User
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2(settings, world):
    from django.conf import settings as live

    # The autouse fixture swaps in a fast hasher for tests; production uses Argon2.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = User.objects.create_user("hashme", password="a-long-password-1")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert live.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_login_and_logout(client, world):
    response = client.post("/accounts/login/", {"username": "staff", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/workbench/"
    page = client.get("/workbench/").content.decode()
    assert "一号社区" in page
    client.post("/accounts/logout/")
    assert client.get("/workbench/").status_code == 302


def test_failed_logins_are_throttled(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "staff", "password": "wrong"})
        assert response.status_code == 200
        assert (
            "请输入一个正确的" in response.content.decode() or "正确" in response.content.decode()
        )
    # Even the right password is refused while the pause lasts, with a clear message.
    response = client.post("/accounts/login/", {"username": "staff", "password": PASSWORD})
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttle_counts_per_address_too(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 2
    for name in ("a", "b"):
        client.post("/accounts/login/", {"username": name, "password": "x"})
    response = client.post("/accounts/login/", {"username": "staff", "password": PASSWORD})
    assert "登录失败次数过多" in response.content.decode()


def test_token_command_issues_and_revokes(world, capsys):
    call_command("create_api_token", "staff", "--name", "网格通")
    key = capsys.readouterr().out.strip()
    assert key.startswith("ys_")
    token = ApiToken.objects.get(user=world.staff)
    assert token.key_hash != key and key not in token.key_hash
    assert ApiToken.authenticate(key) == world.staff
    call_command("create_api_token", "staff", "--revoke", token.prefix)
    assert ApiToken.authenticate(key) is None
    with pytest.raises(CommandError):
        call_command("create_api_token", "no-such-user")


def test_token_authenticates_the_api(client, world):
    _token, key = ApiToken.issue(world.grid_worker, "app")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "grid_worker"
    assert body["roles"] == [{"kind": "grid_worker", "area": "C1G1", "organisation": None}]
    wrong = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer ys_wrong")
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "unauthenticated"


def test_session_authenticates_the_api(client, world):
    client.force_login(world.staff)
    assert client.get("/api/v1/me").json()["username"] == "staff"
