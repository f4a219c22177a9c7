"""Template messages (模板消息): how a 公众号 resident hears that their concern moved on.

notifications plans a Delivery of channel "wechat" for a follower of an account that can send
them (OfficialAccount.sends_templates) and hands it to `deliver` here when it sends. The class
doing the sending is the setting WECHAT_TEMPLATE_SENDER: `ClientSender` calls WeChat through
wechatpy's client; tests use `MemorySender`, which keeps what it was given.

The template's fields are filled as follows (choose a template with these, e.g. 工单进度通知):
first = the step, keyword1 = the tracking code, keyword2 = the status, keyword3 = the time,
remark = the message text; the message opens the resident's tracking page.
"""

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from wechat.models import Follower, OfficialAccount


class TemplateError(Exception):
    """WeChat refused or could not take the template message."""


class TemplateSender:
    def send(self, account: OfficialAccount, openid: str, data: dict[str, Any], url: str) -> None:
        raise NotImplementedError


class ClientSender(TemplateSender):
    def send(self, account: OfficialAccount, openid: str, data: dict[str, Any], url: str) -> None:
        from wechatpy import WeChatClient
        from wechatpy.exceptions import WeChatException

        client = WeChatClient(account.app_id, account.app_secret, timeout=5)
        try:
            client.message.send_template(openid, account.template_id, data, url=url or None)
        except (WeChatException, OSError) as exc:
            raise TemplateError(str(exc)) from exc


class MemorySender(TemplateSender):
    """Tests: keeps what would have been sent in `MemorySender.outbox`."""

    outbox: list[tuple[OfficialAccount, str, dict[str, Any], str]] = []

    def send(self, account: OfficialAccount, openid: str, data: dict[str, Any], url: str) -> None:
        MemorySender.outbox.append((account, openid, data, url))


def get_sender() -> TemplateSender:
    return import_string(settings.WECHAT_TEMPLATE_SENDER)()


def address_of(follower: Follower) -> str:
    """What a Delivery row keeps as its address: the follower's row, not the openid."""
    return f"follower:{follower.pk}"


def follower_at(address: str) -> Follower | None:
    prefix, _sep, pk = address.partition(":")
    if prefix != "follower" or not pk.isdigit():
        return None
    return Follower.objects.select_related("account").filter(pk=int(pk)).first()


def template_data(
    *, step: str, code: str, status: str, body: str, when: Any = None
) -> dict[str, Any]:
    when = timezone.localtime(when or timezone.now())
    return {
        "first": {"value": step},
        "keyword1": {"value": code},
        "keyword2": {"value": status},
        "keyword3": {"value": f"{when:%Y-%m-%d %H:%M}"},
        "remark": {"value": body},
    }


def deliver(delivery: Any) -> None:
    """Send a claimed Delivery of channel "wechat"; TemplateError when it cannot go."""
    follower = follower_at(delivery.address)
    if follower is None or not follower.subscribed or not follower.account.sends_templates:
        raise TemplateError("the follower or the account cannot receive template messages")
    concern = _concern_of(delivery.url, follower)
    code = concern.tracking_code if concern else ""
    status = concern.issue.get_status_display() if concern else ""
    data = template_data(
        step=delivery.event.resident_label or delivery.event.label,
        code=code,
        status=str(status),
        body=delivery.body,
        when=delivery.event.created_at,
    )
    url = (getattr(settings, "SITE_URL", "").rstrip("/") + delivery.url) if delivery.url else ""
    get_sender().send(follower.account, follower.openid, data, url)


def _concern_of(url: str, follower: Follower) -> Any:
    """The concern the message is about: the one whose tracking page it opens (the
    resident's own, as notifications.audiences.link_for made it)."""
    from django.urls import Resolver404, resolve

    from concerns.models import Concern

    try:
        match = resolve(url or "/-/")
    except Resolver404:
        return None
    code = match.kwargs.get("code", "") if match.view_name == "concerns:track_code" else ""
    if not code:
        return None
    return (
        Concern.objects.select_related("issue")
        .filter(tracking_code=code, wechat__follower=follower)
        .first()
    )
