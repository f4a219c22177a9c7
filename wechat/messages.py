"""The answer to each kind of message a resident sends to a community's 公众号.

`answer` takes a parsed message (wechatpy) and returns the text replied to that resident, or
"" for nothing (WeChat is then told "success"). The reply goes to the sender alone, so it may
carry their tracking code; it never carries anyone else's data.
"""

import logging
import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concerns import codes
from concerns.display import public_story
from concerns.models import Concern
from core.errors import ActionError
from core.ratelimit import hit, is_limited
from wechat import actions, media
from wechat.models import Follower, OfficialAccount

log = logging.getLogger("yishi.wechat")

# "查询 AB12CD34", "查询AB12CD34", "查询：AB12 CD34" (full-width space and colon too).
_QUERY = re.compile(r"^\s*(?:查询|查詢|cx)[\s\u3000:：]*([0-9A-Za-z][0-9A-Za-z\s\u3000\-]*)$", re.I)
_PHONE = re.compile(r"^\s*(?:手机|电话|手机号)[\s\u3000:：]*([+\d][\d\s\-]{6,18})\s*$")
_HELP = {"帮助", "help", "?", "？", "菜单", "你好", "您好", "hi", "hello"}
# Shorter texts than this are not read as a concern ("在吗", "1"), but answered with help.
MIN_CONCERN_CHARS = 5


def track_link(code: str) -> str:
    path = reverse("concerns:track_code", args=[code])
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def how_to(account: OfficialAccount) -> str:
    return _(
        "To report a problem to %(community)s, write it here in one message: what is wrong "
        "and where. You will get a tracking code. After it you may send a photo or your "
        "location. Send 查询 and your code to see how it is going."
    ) % {"community": account.community.name}


def _limited(follower: Follower) -> str:
    """A reply when this resident sent too many messages lately, else ""."""
    window = settings.CONCERN_SUBMIT_WINDOW
    if hit(f"wechat-msg:{follower.resident_key}", settings.WECHAT_MESSAGES_PER_FOLLOWER, window):
        return _("You have sent many messages in a short time. Please try again later.")
    return ""


def answer(account: OfficialAccount, message: Any) -> str:
    openid = str(getattr(message, "source", "") or "")
    if not openid:
        return ""
    follower = actions.follower_for(account, openid)
    kind = message.type
    if kind == "event":
        event = getattr(message, "event", "")
        if event == "subscribe":
            return _("Welcome! %(how_to)s") % {"how_to": how_to(account)}
        if event == "unsubscribe":
            actions.unsubscribed(follower)
        return ""
    too_many = _limited(follower)
    if too_many:
        return too_many
    try:
        if kind == "text":
            return _text(follower, message.content or "", str(getattr(message, "id", "") or ""))
        if kind == "image":
            return _image(follower, message)
        if kind == "location":
            return _location(follower, message)
    except ActionError as exc:
        return str(exc.message)
    return _("Only text, photos and locations can be read here. %(how_to)s") % {
        "how_to": how_to(account)
    }


def _text(follower: Follower, text: str, msg_id: str) -> str:
    text = text.strip()
    query = _QUERY.match(text)
    if query:
        return _status(follower, query.group(1))
    phone = _PHONE.match(text)
    if phone:
        actions.set_phone(follower, phone.group(1))
        return _(
            "Your number is saved. Your next concerns carry it, and we tell you of progress by "
            "SMS when we cannot here."
        )
    if text.lower() in _HELP or len(text) < MIN_CONCERN_CHARS:
        return how_to(follower.account)
    if _too_many_concerns(follower):
        return _("You have sent many concerns in a short time. Please try again later.")
    concern = actions.report(follower, text, msg_id=msg_id)
    code = concern.tracking_code
    return _(
        "Thank you, we have received your concern. Your tracking code is %(code)s (keep it to "
        "yourself). Follow it at %(link)s . You may now send a photo or your location to add "
        "to it; send 查询 %(code)s to see how it is going."
    ) % {"code": code, "link": track_link(code)}


def _too_many_concerns(follower: Follower) -> bool:
    since = timezone.now() - timedelta(seconds=settings.CONCERN_SUBMIT_WINDOW)
    keys = {follower.resident_key} | ({f"tel:{follower.phone}"} if follower.phone else set())
    recent = Concern.objects.filter(resident_key__in=keys, created_at__gte=since).count()
    return recent >= settings.CONCERN_SUBMIT_PER_PHONE


def _status(follower: Follower, raw: str) -> str:
    """The status and last public step behind a code, counted per resident (the WeChat
    server's address is shared by every resident, so the per-address limit cannot apply)."""
    window = settings.CODE_LOOKUP_WINDOW
    key = follower.resident_key
    if is_limited(f"wechat-miss:{key}", settings.CODE_MISSES_PER_IP, window) or hit(
        f"wechat-lookup:{key}", settings.CODE_LOOKUPS_PER_IP, window
    ):
        return _("Too many lookups in a short time. Please try again later.")
    concern = codes.find(raw)
    if concern is None:
        hit(f"wechat-miss:{key}", settings.CODE_MISSES_PER_IP, window)
        return _("No concern has this tracking code. Check it and try again.")
    issue, story = public_story(concern)
    values = {
        "code": concern.tracking_code,
        "status": issue.get_status_display(),
        "link": track_link(concern.tracking_code),
    }
    if not story:
        return _("%(code)s: %(status)s. Details: %(link)s") % values
    last = story[-1]
    values["step"] = last.label + (f"：{last.note}" if last.note else "")
    values["when"] = f"{timezone.localtime(last.when):%Y-%m-%d %H:%M}"
    return _("%(code)s: %(status)s. Latest step: %(step)s, %(when)s. Details: %(link)s") % values


def _image(follower: Follower, message: Any) -> str:
    if actions.last_report(follower) is None:
        return _("Please write what is wrong first; then send the photo.")
    try:
        data = media.fetch(message.image)
    except media.FetchError as exc:
        log.warning("WeChat photo not fetched: %s", exc)
        return _("The photo could not be received. Please send it again.")
    concern = actions.attach_photo(follower, data)
    return _("The photo is added to your concern %(code)s.") % {"code": concern.tracking_code}


def _location(follower: Follower, message: Any) -> str:
    x, y = message.location
    concern = actions.locate(follower, str(x), str(y), message.label or "")
    return _("The place is added to your concern %(code)s.") % {"code": concern.tracking_code}
