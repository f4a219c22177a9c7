"""Requests made exactly as WeChat's servers make them: the query signed with sha1 over the
sorted token, timestamp and nonce; in safe mode the message AES-encrypted (WeChatCrypto) and
its `msg_signature` over the sorted token, timestamp, nonce and ciphertext."""

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import pytest
from wechatpy.crypto import WeChatCrypto

from notifications.sms import MemorySender as SmsOutbox
from wechat.models import OfficialAccount
from wechat.sender import MemorySender

TOKEN = "test-token-7f3a"
APP_ID = "wx1234567890abcdef"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OPENID = "oAbCdEfGhIjKlMnOpQrStUvWx01"


def sha1(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def text_xml(content: str, *, openid: str = OPENID, msg_id: str | None = None) -> str:
    msg_id = msg_id or str(secrets.randbelow(10**18))
    return (
        "<xml><ToUserName><![CDATA[gh_test]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def other_xml(kind: str, fields: str, *, openid: str = OPENID) -> str:
    return (
        "<xml><ToUserName><![CDATA[gh_test]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>"
        f"{fields}<MsgId>{secrets.randbelow(10**18)}</MsgId></xml>"
    )


@dataclass
class Wechat:
    client: Any
    account: OfficialAccount

    @property
    def url(self) -> str:
        return f"/wechat/{self.account.community.code}/"

    def query(self, *, token: str = TOKEN, timestamp: str | None = None, nonce: str = ""):
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or secrets.token_hex(5)
        return {"signature": sha1(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}

    def post(self, xml: str, *, safe: bool = False, **signing: Any):
        params = self.query(**signing)
        body = xml
        if safe:
            crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
            sealed = crypto.encrypt_message(xml, params["nonce"], params["timestamp"])
            encrypt = ElementTree.fromstring(sealed).findtext("Encrypt") or ""
            body = (
                "<xml><ToUserName><![CDATA[gh_test]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
            )
            params |= {
                "encrypt_type": "aes",
                "msg_signature": sha1(TOKEN, params["timestamp"], params["nonce"], encrypt),
            }
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.client.post(f"{self.url}?{query}", data=body, content_type="text/xml")

    def say(self, content: str, **kwargs: Any) -> str:
        """Send a text; the text of the reply."""
        response = self.post(
            text_xml(content, **{k: v for k, v in kwargs.items() if k in ("openid", "msg_id")})
        )
        assert response.status_code == 200, response.content
        return reply_text(response.content)


def reply_text(content: bytes) -> str:
    if content == b"success":
        return ""
    return ElementTree.fromstring(content).findtext("Content") or ""


@pytest.fixture
def account(world) -> OfficialAccount:
    account = OfficialAccount(community=world.c1, name="一号社区", app_id=APP_ID)
    account.token = TOKEN
    account.aes_key = AES_KEY
    account.save()
    return account


@pytest.fixture
def wx(client, account) -> Wechat:
    return Wechat(client, account)


@pytest.fixture(autouse=True)
def _senders(settings) -> None:
    settings.WECHAT_TEMPLATE_SENDER = "wechat.sender.MemorySender"
    settings.SMS_SENDER = "notifications.sms.MemorySender"
    settings.SITE_URL = "https://yishi.example.cn"
    MemorySender.outbox = []
    SmsOutbox.outbox = []


@pytest.fixture(autouse=True)
def _no_network(monkeypatch) -> None:
    def refuse(url: str) -> bytes:
        raise AssertionError(f"a test reached for the network: {url}")

    monkeypatch.setattr("wechat.media.fetch", refuse)
