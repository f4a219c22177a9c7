"""Connecting an account: secrets sealed at rest, never shown back; the demo account."""

import importlib.util
import io
from pathlib import Path

import pytest

from concerns.models import Concern
from wechat import sealed
from wechat.models import OfficialAccount, resident_key
from wechat.tests.conftest import AES_KEY, OPENID, TOKEN, Wechat, text_xml

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "wechat_try.py"


def test_secrets_are_sealed_at_rest(account):
    row = OfficialAccount.objects.values("token_sealed", "aes_key_sealed").get()
    assert TOKEN not in row["token_sealed"] and AES_KEY not in row["aes_key_sealed"]
    assert OfficialAccount.objects.get().token == TOKEN


@pytest.mark.django_db
def test_each_secret_is_sealed_in_its_own_column(world):
    account = OfficialAccount(community=world.c1)
    account.token, account.aes_key, account.app_secret = "t-clear", "k-clear", "s-clear"
    account.save()
    row = OfficialAccount.objects.values_list(
        "token_sealed", "aes_key_sealed", "app_secret_sealed"
    ).get(pk=account.pk)
    assert [sealed.decrypt(value) for value in row] == ["t-clear", "k-clear", "s-clear"]
    assert not any("clear" in value for value in row)
    account.app_secret = ""
    assert account.app_secret_sealed == "" and account.app_secret == ""


def test_another_key_cannot_open_them(account, settings):
    settings.FIELD_KEY = "a-different-field-key-for-this-test"
    sealed._fernet.cache_clear()
    assert OfficialAccount.objects.get().token == ""
    assert sealed.decrypt("not a token") == ""


def test_the_openid_is_counted_by_a_keyed_hash():
    key = resident_key(OPENID)
    assert key.startswith("wx:") and OPENID not in key and len(key) <= 64
    assert key == resident_key(OPENID) != resident_key(OPENID + "x")


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def test_admin_connects_an_account_and_never_shows_the_secrets(admin_client, world):
    response = admin_client.post(
        "/admin/wechat/officialaccount/add/",
        {
            "community": world.c2.pk,
            "name": "二号社区",
            "app_id": "wx2222222222222222",
            "template_id": "",
            "active": "on",
            "token": "tok-two-secret",
            "aes_key": AES_KEY,
            "app_secret": "app-secret-two",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account = OfficialAccount.objects.get(community=world.c2)
    assert account.token == "tok-two-secret" and account.app_secret == "app-secret-two"
    page = admin_client.get(f"/admin/wechat/officialaccount/{account.pk}/change/").content.decode()
    for secret in ("tok-two-secret", AES_KEY, "app-secret-two", account.token_sealed):
        assert secret not in page
    assert "/wechat/C2/" in page
    # Saving again with the secret fields left empty keeps them.
    admin_client.post(
        f"/admin/wechat/officialaccount/{account.pk}/change/",
        {
            "community": world.c2.pk,
            "name": "二号社区公众号",
            "app_id": "wx2222222222222222",
            "template_id": "T1",
            "active": "on",
            "token": "",
            "aes_key": "",
            "app_secret": "",
        },
    )
    account.refresh_from_db()
    assert account.name == "二号社区公众号"
    assert account.token == "tok-two-secret" and account.aes_key == AES_KEY


def test_admin_refuses_a_malformed_aes_key_and_a_missing_token(admin_client, world):
    response = admin_client.post(
        "/admin/wechat/officialaccount/add/",
        {"community": world.c2.pk, "app_id": "wx2", "active": "on", "aes_key": "short"},
    )
    assert response.status_code == 200
    assert not OfficialAccount.objects.filter(community=world.c2).exists()


def test_community_staff_cannot_open_the_accounts(client, world, account):
    client.force_login(world.staff)
    response = client.get(f"/admin/wechat/officialaccount/{account.pk}/change/")
    assert response.status_code in (302, 403)
    assert TOKEN not in response.content.decode()


def test_the_openid_never_reaches_the_tracking_page(wx):
    wx.say("花园小区3号楼门口的路灯坏了一个星期，晚上很黑")
    concern = Concern.objects.get()
    page = wx.client.get(f"/concerns/t/{concern.tracking_code}/").content.decode()
    assert concern.tracking_code in page
    assert OPENID not in page and concern.resident_key not in page


def _script():
    spec = importlib.util.spec_from_file_location("wechat_try", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_account_answers_the_try_script_signature(client, demo):
    from wechat import demo as wechat_demo

    wechat_demo.load(io.StringIO())
    wechat_demo.load(io.StringIO())  # idempotent
    account = OfficialAccount.objects.get(community__code="640106001001")
    assert account.token == "yishi-demo-token" and not account.aes_key_sealed
    script = _script()
    stamp, nonce = str(int(__import__("time").time())), "n0nce"
    query = {
        "signature": script.signature("yishi-demo-token", stamp, nonce),
        "timestamp": stamp,
        "nonce": nonce,
    }
    url = "/wechat/640106001001/?" + "&".join(f"{k}={v}" for k, v in query.items())
    response = client.post(
        url, data=text_xml("金城蓝湾一期3号楼楼道灯不亮了"), content_type="text/xml"
    )
    assert response.status_code == 200
    assert Concern.objects.get().tracking_code in response.content.decode()
    assert Wechat(client, account).url == "/wechat/640106001001/"
