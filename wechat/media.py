"""Fetching the picture of a photo message from WeChat's image servers.

`fetch` is looked up at call time, so tests replace it (monkeypatch wechat.media.fetch) and
never reach the network. Only WeChat's own image hosts are fetched: a message is signed, but a
URL it carries should still not make Yishi request an address of an attacker's choosing.
"""

import urllib.request
from urllib.parse import urlsplit

from core.uploads import MAX_PHOTO_BYTES

# WeChat answers within 5 seconds or the resident sees an error: the download gets part of it.
TIMEOUT = 2.5
HOSTS = (".qpic.cn", ".qlogo.cn", ".weixin.qq.com", ".wx.qq.com")


class FetchError(Exception):
    pass


def allowed(url: str) -> bool:
    parts = urlsplit(url or "")
    host = "." + (parts.hostname or "")
    return parts.scheme in ("http", "https") and host.endswith(HOSTS)


def fetch(url: str) -> bytes:
    if not allowed(url):
        raise FetchError("not a WeChat image address")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 (checked)
            data: bytes = response.read(MAX_PHOTO_BYTES + 1)
    except OSError as exc:
        raise FetchError(str(exc)) from exc
    if len(data) > MAX_PHOTO_BYTES:
        raise FetchError("too large")
    return data
