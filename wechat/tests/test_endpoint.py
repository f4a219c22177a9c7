"""The developer endpoint, called as WeChat calls it: signatures, freshness, replay, modes."""

import time
from xml.etree import ElementTree

import pytest
from wechatpy.crypto import WeChatCrypto

from concerns.models import Concern
from wechat.models import Follower
from wechat.tests.conftest import AES_KEY, APP_ID, OPENID, TOKEN, reply_text, sha1, text_xml

LAMP = "花园小区3号楼门口的路灯坏了一个星期，晚上很黑"


def test_wechatpy_runs_on_this_python():
    import sys

    import wechatpy

    assert sys.version_info[:2] == (3, 11)
    assert wechatpy.__version__ == "1.8.18"
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    sealed = crypto.encrypt_message("<xml><A>1</A></xml>", "n1", "1700000000")
    root = ElementTree.fromstring(sealed)
    plain = crypto.decrypt_message(
        sealed, root.findtext("MsgSignature"), root.findtext("TimeStamp"), root.findtext("Nonce")
    )
    assert "<A>1</A>" in plain


def test_get_check_answers_echostr_as_plain_text(wx):
    params = wx.query() | {"echostr": "8765309"}
    response = wx.client.get(wx.url, params)
    assert response.status_code == 200
    assert response.content == b"8765309"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("token", ["wrong-token", ""])
def test_get_check_with_a_bad_signature_is_403(wx, token):
    params = wx.query(token=token or "x") | {"echostr": "8765309"}
    params["signature"] = params["signature"] if token else ""
    response = wx.client.get(wx.url, params)
    assert response.status_code == 403
    assert b"8765309" not in response.content


def test_a_stale_or_future_timestamp_is_403_even_when_signed(wx):
    for offset in (-400, 400):
        params = wx.query(timestamp=str(int(time.time()) + offset)) | {"echostr": "e"}
        assert wx.client.get(wx.url, params).status_code == 403
        response = wx.post(text_xml(LAMP), timestamp=str(int(time.time()) + offset))
        assert response.status_code == 403
    assert wx.client.get(wx.url, wx.query(timestamp="soon") | {"echostr": "e"}).status_code == 403
    assert not Concern.objects.exists()


def test_unknown_inactive_or_non_community_codes_are_404(wx, world):
    assert wx.client.get("/wechat/C2/", wx.query() | {"echostr": "e"}).status_code == 404
    assert wx.client.get("/wechat/C1G1/", wx.query() | {"echostr": "e"}).status_code == 404
    wx.account.active = False
    wx.account.save()
    assert wx.client.get(wx.url, wx.query() | {"echostr": "e"}).status_code == 404


def test_a_post_with_a_bad_signature_is_403_and_changes_nothing(wx):
    response = wx.post(text_xml(LAMP), token="not-the-token")
    assert response.status_code == 403
    assert not Concern.objects.exists()
    assert not Follower.objects.exists()


def test_a_replayed_timestamp_and_nonce_is_refused(wx):
    stamp, nonce = str(int(time.time())), "replayed1"
    first = wx.post(text_xml(LAMP), timestamp=stamp, nonce=nonce)
    assert first.status_code == 200
    again = wx.post(text_xml("另一条消息：小区东门的垃圾没人清理"), timestamp=stamp, nonce=nonce)
    assert again.status_code == 403
    assert Concern.objects.count() == 1


def test_only_get_and_post(wx):
    assert (
        wx.client.put(
            wx.url + "?" + "&".join(f"{k}={v}" for k, v in wx.query().items())
        ).status_code
        == 405
    )


def test_plain_text_becomes_a_wechat_concern_with_the_code_and_link_in_the_reply(wx, world):
    response = wx.post(text_xml(LAMP))
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    assert root.findtext("ToUserName") == OPENID  # the reply goes to the sender only
    text = root.findtext("Content")
    concern = Concern.objects.get()
    assert concern.channel == Concern.Channel.WECHAT
    assert concern.community == world.c1
    assert concern.phone == ""
    assert concern.resident_key.startswith("wx:")
    assert OPENID not in concern.resident_key
    assert concern.tracking_code in text
    assert f"https://yishi.example.cn/concerns/t/{concern.tracking_code}/" in text
    assert concern.wechat.follower.openid == OPENID


def test_safe_mode_message_and_reply_are_encrypted(wx):
    response = wx.post(text_xml(LAMP), safe=True)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    assert root.find("Content") is None and root.findtext("Encrypt")
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    # The reply's own signature checks out, as WeChat checks it.
    assert root.findtext("MsgSignature") == sha1(
        TOKEN, root.findtext("TimeStamp"), root.findtext("Nonce"), root.findtext("Encrypt")
    )
    plain = crypto.decrypt_message(
        response.content,
        root.findtext("MsgSignature"),
        root.findtext("TimeStamp"),
        root.findtext("Nonce"),
    )
    assert Concern.objects.get().tracking_code in reply_text(plain.encode())


def test_safe_mode_with_a_bad_msg_signature_is_403(wx):
    params = wx.query()
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    sealed = crypto.encrypt_message(text_xml(LAMP), params["nonce"], params["timestamp"])
    encrypt = ElementTree.fromstring(sealed).findtext("Encrypt")
    body = f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    params |= {"encrypt_type": "aes", "msg_signature": "0" * 40}
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = wx.client.post(f"{wx.url}?{query}", data=body, content_type="text/xml")
    assert response.status_code == 403
    assert not Concern.objects.exists()


def test_safe_mode_from_another_app_id_is_403(wx):
    params = wx.query()
    crypto = WeChatCrypto(TOKEN, AES_KEY, "wxSomeoneElse00000")
    sealed = crypto.encrypt_message(text_xml(LAMP), params["nonce"], params["timestamp"])
    encrypt = ElementTree.fromstring(sealed).findtext("Encrypt")
    body = f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    params |= {
        "encrypt_type": "aes",
        "msg_signature": sha1(TOKEN, params["timestamp"], params["nonce"], encrypt),
    }
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = wx.client.post(f"{wx.url}?{query}", data=body, content_type="text/xml")
    assert response.status_code == 403
    assert not Concern.objects.exists()


def test_a_hostile_body_gets_success_and_nothing_else(wx):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"<xml><FromUserName>{OPENID}</FromUserName><MsgType>text</MsgType>"
        "<Content>&b;</Content></xml>"
    )
    for body in (bomb, "not xml at all", "<xml><Content>no sender</Content></xml>"):
        response = wx.post(body)
        assert response.status_code == 200
        assert response.content == b"success"
    assert not Concern.objects.exists()


def test_wechat_retrying_a_slow_answer_gets_the_same_concern(wx):
    first = wx.say(LAMP, msg_id="424242")
    again = wx.say(LAMP, msg_id="424242")  # a new nonce, the same MsgId
    assert Concern.objects.count() == 1
    assert first == again


def test_the_endpoint_is_csrf_exempt_under_enforced_checks(account):
    from django.test import Client

    from wechat.tests.conftest import Wechat

    wx = Wechat(Client(enforce_csrf_checks=True), account)
    assert wx.say(LAMP)
    assert Concern.objects.count() == 1
