#!/usr/bin/env python3
"""Talk to a community's 公众号 endpoint as WeChat's servers would (plain mode), e.g.

    python scripts/wechat_try.py "3号楼门口的路灯坏了一个星期了"
    python scripts/wechat_try.py "查询 AB12CD34"
    python scripts/wechat_try.py --location 38.4872,106.2309 "金城蓝湾一期3号楼"
    python scripts/wechat_try.py --subscribe

Defaults: the demo account of 金城蓝湾社区 (token yishi-demo-token) on http://127.0.0.1:8000.
Standard library only: the signature is sha1 over the sorted token, timestamp and nonce.
"""

import argparse
import hashlib
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from xml.sax.saxutils import escape


def signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()  # noqa: S324


def message_xml(args: argparse.Namespace, now: int) -> str:
    head = (
        f"<ToUserName><![CDATA[gh_demo]]></ToUserName>"
        f"<FromUserName><![CDATA[{escape(args.openid)}]]></FromUserName>"
        f"<CreateTime>{now}</CreateTime>"
    )
    if args.subscribe:
        body = "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>"
    elif args.location:
        lat, lng = args.location.split(",")
        body = (
            "<MsgType><![CDATA[location]]></MsgType>"
            f"<Location_X>{lat}</Location_X><Location_Y>{lng}</Location_Y><Scale>15</Scale>"
            f"<Label><![CDATA[{args.text}]]></Label>"
        )
    else:
        body = f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{args.text}]]></Content>"
    msg_id = str(secrets.randbelow(10**18))
    return f"<xml>{head}{body}<MsgId>{msg_id}</MsgId></xml>"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("text", nargs="?", default="")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--community", default="640106001001")
    parser.add_argument("--token", default="yishi-demo-token")
    parser.add_argument("--openid", default="o-demo-resident-0001")
    parser.add_argument("--location", help="latitude,longitude (the text is the place's label)")
    parser.add_argument("--subscribe", action="store_true", help="send a subscribe event")
    parser.add_argument("--check", action="store_true", help="the GET echostr check only")
    args = parser.parse_args()

    now = int(time.time())
    timestamp, nonce = str(now), secrets.token_hex(8)
    query = {
        "signature": signature(args.token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    if args.check:
        query["echostr"] = "echo-" + nonce
    url = f"{args.base.rstrip('/')}/wechat/{args.community}/?{urllib.parse.urlencode(query)}"
    data = None if args.check else message_xml(args, now).encode()
    if not url.startswith(("http://", "https://")):
        parser.error("--base must be an http(s) address")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "text/xml"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            print(response.status, response.read().decode())
    except urllib.error.HTTPError as exc:
        print(exc.code, exc.read().decode()[:200])


if __name__ == "__main__":
    main()
