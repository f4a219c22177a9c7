"""Sending text messages (短信) to residents.

The sender is chosen by the setting SMS_SENDER (env YISHI_SMS_SENDER): `log` (the default:
the message goes to the "yishi.sms" log, number and tracking codes masked), `aliyun`
(阿里云短信), `tencent` (腾讯云短信), or the dotted path of your own class.

Chinese gateways send only pre-approved templates: each kind of message (`KINDS`) maps to a
template code and the names of its variables in SMS_TEMPLATES (env YISHI_SMS_TEMPLATES, JSON),
and the values are cut to the gateway's limit (SMS_PARAM_MAX characters) between words.

A sender's `send_message(message)` returns the gateway's receipt id, raises `SmsError` when
the gateway refused the message (it is tried again later), or `SmsUnsure` when the message
left but no answer came back (a timeout): the gateway may have taken it, so it is never sent
again blindly; `confirm(message)` asks the gateway whether it arrived, by the message's
`out_id` (Alibaba `OutId`, Tencent `SessionContext`), which is the same on every attempt.

A sender must never log the number unmasked, nor a tracking code (the resident's secret): log
`concerns.codes.mask(text)`, never `text`. Credentials come from the environment, never code.
"""

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.masking import mask_phone
from concerns.codes import mask as mask_codes
from core import phones

log = logging.getLogger("yishi.sms")

# The kinds of message residents and meeting participants receive, each with the values its
# template may use. A deployment maps each kind to a template approved by its gateway.
KINDS: dict[str, tuple[str, ...]] = {
    "received": ("words", "code", "link", "path"),  # concern.received: the tracking code
    "accepted": ("words", "code"),  # issue.accepted
    "meeting_notice": ("words", "code", "meeting", "when", "where"),  # meeting.announced
    "meeting_moved": ("words", "code", "meeting", "when", "where"),  # meeting.rescheduled
    "published": ("words", "code", "meeting", "link", "path"),  # meeting.published
    "listed": ("words", "code", "item", "owner", "deadline"),  # action_item.listed
    "settled": ("words", "code", "outcome", "link", "path"),  # issue.settled / resolved
    "notice": ("title", "label", "link", "path"),  # meeting participants with only a phone
    # A participant's invitation (meeting.announced, or meeting.invited once it is out) and
    # its correction (meeting.rescheduled): when, where, their sign-in code and the page.
    "invitation": ("meeting", "when", "where", "code", "link", "path"),
    "invitation_moved": ("meeting", "when", "where", "code", "link", "path"),
    # A grid worker who chose SMS: a concern arrived in their grid (concern.received).
    "grid_concern": ("grid", "words", "link", "path"),
    # Following a community by phone: the confirmation code, then each new topic, meeting or
    # result, always with the one-tap stop link.
    "follow_code": ("community", "code", "minutes"),
    "follow_news": ("community", "title", "when", "where", "link", "stop"),
}
# Values never cut: a cut code or link is worse than none (put the site in the template and
# pass `path`, or ask the gateway for a longer variable).
UNCUT = frozenset({"code", "link", "path", "when", "deadline", "stop"})

SHORT_NAMES = {
    "log": "notifications.sms.LogSender",
    "aliyun": "notifications.sms.AliyunSender",
    "tencent": "notifications.sms.TencentSender",
    "memory": "notifications.sms.MemorySender",
}


class SmsError(Exception):
    """The gateway refused or could not take the message: it was not sent."""


class SmsUnsure(SmsError):
    """The message left but no answer came back: the gateway may have taken it."""


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str  # the whole message, for senders without templates
    kind: str = "notice"
    params: dict[str, str] = field(default_factory=dict)
    out_id: str = ""  # the same on every attempt: the gateway's idempotency / lookup key
    first_try: datetime | None = None


class SmsSender:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError

    def send_message(self, message: SmsMessage) -> str:
        """Send; return the gateway's receipt id ("" when there is none)."""
        self.send(message.phone, message.text)
        return ""

    def confirm(self, message: SmsMessage) -> bool | None:
        """After SmsUnsure: True if the gateway has the message, False if it surely has not
        (it may be sent again), None if it cannot tell (it is not sent again)."""
        return None


class LogSender(SmsSender):
    """Development: the message goes to the log (number and tracking codes masked), nowhere
    else."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", mask_phone(phone), mask_codes(text))


class MemorySender(SmsSender):
    """Tests: keeps what would have been sent in `MemorySender.outbox`."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        MemorySender.outbox.append((phone, text))


def sender_path(name: str | None = None) -> str:
    name = name if name is not None else settings.SMS_SENDER
    return SHORT_NAMES.get(name.strip().lower(), name.strip())


def get_sender() -> SmsSender:
    return import_string(sender_path())()


# --- templates -------------------------------------------------------------------------


def templates() -> dict[str, dict[str, Any]]:
    """SMS_TEMPLATES as {kind: {"template": code, "params": {gateway name: our value}}};
    "params" may be a list of our value names, which are then the template's names too (and,
    for Tencent, their order)."""
    raw = getattr(settings, "SMS_TEMPLATES", {}) or {}
    if isinstance(raw, str):
        raw = json.loads(raw) if raw.strip() else {}
    table: dict[str, dict[str, Any]] = {}
    for kind, entry in raw.items():
        if isinstance(entry, str):
            entry = {"template": entry, "params": list(KINDS.get(kind, ()))}
        params = entry.get("params", [])
        if isinstance(params, list):
            params = {name: name for name in params}
        table[kind] = {"template": str(entry.get("template", "")), "params": dict(params)}
    return table


def template_for(message: SmsMessage) -> tuple[str, dict[str, str]]:
    """The template code and its variables (in the template's order), values cut to the
    gateway's limit; SmsError when the kind has no template (it cannot be sent)."""
    from notifications.messages import cut

    entry = templates().get(message.kind)
    if not entry or not entry["template"]:
        raise SmsError(f"No SMS template for the kind {message.kind!r}")
    limit = int(getattr(settings, "SMS_PARAM_MAX", 35))
    values: dict[str, str] = {}
    for theirs, ours in entry["params"].items():
        value = str(message.params.get(ours, ""))
        values[theirs] = value if ours in UNCUT else cut(value, limit)
    return entry["template"], values


# --- the gateways ----------------------------------------------------------------------

# Text of a network error raised before the request could reach the gateway: safe to retry.
_NOT_CONNECTED = (
    "connection refused",
    "newconnectionerror",
    "connecttimeout",
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no route to host",
)


def _network_error(exc: BaseException) -> SmsError:
    """A network failure: unsure unless the connection was never made."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = (
            getattr(current, "inner_exception", None) or current.__cause__ or current.__context__
        )
    text = " ".join(f"{type(e).__name__} {e}" for e in seen).lower()
    if any(marker in text for marker in _NOT_CONNECTED):
        return SmsError("gateway unreachable")
    return SmsUnsure("no answer from the gateway (it may have taken the message)")


def gateway_settings() -> dict[str, Any]:
    return {
        "key_id": getattr(settings, "SMS_ACCESS_KEY_ID", ""),
        "secret": getattr(settings, "SMS_ACCESS_KEY_SECRET", ""),
        "sign_name": getattr(settings, "SMS_SIGN_NAME", ""),
        "endpoint": getattr(settings, "SMS_ENDPOINT", ""),
        "region": getattr(settings, "SMS_REGION", ""),
        "app_id": getattr(settings, "SMS_SDK_APP_ID", ""),
        "timeout": float(getattr(settings, "SMS_TIMEOUT", 10)),
    }


def _endpoint(default_host: str) -> tuple[str, str]:
    """(scheme, host[:port]) from SMS_ENDPOINT: "http://10.0.0.5:8080" for an intranet proxy
    (or a test's fake gateway), a bare host for https; the gateway's own host without it."""
    configured = gateway_settings()["endpoint"].strip()
    if not configured:
        return "https", default_host
    if "://" not in configured:
        return "https", configured.rstrip("/")
    parts = urlsplit(configured)
    return parts.scheme.lower(), parts.netloc


def _local_phone(phone: str) -> str:
    return phones.digits_of(phone)


class AliyunSender(SmsSender):
    """阿里云短信 (dysmsapi 2017-05-25, SendSms), signed by the SDK (ACS3-HMAC-SHA256)."""

    default_host = "dysmsapi.aliyuncs.com"

    def __init__(self) -> None:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.models import Config

        conf = gateway_settings()
        scheme, host = _endpoint(self.default_host)
        timeout_ms = int(conf["timeout"] * 1000)
        self.client = Client(
            Config(
                access_key_id=conf["key_id"],
                access_key_secret=conf["secret"],
                endpoint=host,
                protocol=scheme,
                region_id=conf["region"] or "cn-hangzhou",
                read_timeout=timeout_ms,
                connect_timeout=timeout_ms,
            )
        )
        self.sign_name = conf["sign_name"]

    def send(self, phone: str, text: str) -> None:
        raise SmsError("Alibaba Cloud SMS sends templates only")

    def send_message(self, message: SmsMessage) -> str:
        from alibabacloud_dysmsapi20170525 import models
        from darabonba.exceptions import ResponseException

        template, values = template_for(message)
        request = models.SendSmsRequest(
            phone_numbers=_local_phone(message.phone),
            sign_name=self.sign_name,
            template_code=template,
            template_param=json.dumps(values, ensure_ascii=False),
            out_id=message.out_id,
        )
        try:
            body = self.client.send_sms(request).body
        except ResponseException as exc:  # the gateway answered with an HTTP error
            raise SmsError(f"{getattr(exc, 'code', '')} {getattr(exc, 'message', '')}") from exc
        except Exception as exc:
            raise _network_error(exc) from exc
        if body is None or body.code != "OK":
            code = getattr(body, "code", "")
            raise SmsError(f"{code}: {getattr(body, 'message', '')}")
        return body.biz_id or ""

    def confirm(self, message: SmsMessage) -> bool | None:
        """QuerySendDetails lists what the gateway took for the number on the day; the message
        is there, with our OutId, as soon as the gateway has it."""
        from alibabacloud_dysmsapi20170525 import models

        day = timezone.localtime(message.first_try or timezone.now())
        found_any_page = False
        for page in range(1, 6):
            try:
                body = self.client.query_send_details(
                    models.QuerySendDetailsRequest(
                        phone_number=_local_phone(message.phone),
                        send_date=f"{day:%Y%m%d}",
                        page_size=50,
                        current_page=page,
                    )
                ).body
            except Exception:
                log.warning("Could not ask Alibaba Cloud about %s", mask_phone(message.phone))
                return None
            if body is None or body.code != "OK":
                return None
            found_any_page = True
            dtos = body.sms_send_detail_dtos
            items = (dtos.sms_send_detail_dto if dtos else None) or []
            if any(item.out_id == message.out_id for item in items):
                return True
            if len(items) < 50:
                break
        return False if found_any_page else None


class TencentSender(SmsSender):
    """腾讯云短信 (sms 2021-01-11, SendSms), signed by the SDK (TC3-HMAC-SHA256)."""

    default_host = "sms.tencentcloudapi.com"

    def __init__(self) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111.sms_client import SmsClient

        conf = gateway_settings()
        scheme, host = _endpoint(self.default_host)
        http = HttpProfile(protocol=scheme, endpoint=host, reqTimeout=int(conf["timeout"]) or 1)
        self.client = SmsClient(
            credential.Credential(conf["key_id"], conf["secret"]),
            conf["region"] or "ap-guangzhou",
            ClientProfile(httpProfile=http),
        )
        self.sign_name = conf["sign_name"]
        self.app_id = conf["app_id"]

    def send(self, phone: str, text: str) -> None:
        raise SmsError("Tencent Cloud SMS sends templates only")

    @staticmethod
    def _phone(phone: str) -> str:
        digits = phone.strip()
        return digits if digits.startswith("+") else "+86" + digits

    def send_message(self, message: SmsMessage) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models

        template, values = template_for(message)
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [self._phone(message.phone)]
        request.SmsSdkAppId = self.app_id
        request.SignName = self.sign_name
        request.TemplateId = template
        request.TemplateParamSet = list(values.values())
        request.SessionContext = message.out_id
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            if exc.get_code() == "ClientNetworkError":
                raise _network_error(Exception(exc.get_message())) from exc
            raise SmsError(f"{exc.get_code()}: {exc.get_message()}") from exc
        except Exception as exc:
            raise _network_error(exc) from exc
        [status] = response.SendStatusSet or [None]
        if status is None or status.Code != "Ok":
            raise SmsError(f"{getattr(status, 'Code', '')}: {getattr(status, 'Message', '')}")
        return status.SerialNo or ""

    def confirm(self, message: SmsMessage) -> bool | None:
        """The delivery reports for the number carry our SessionContext back. Reports come
        late, so finding none proves nothing: None, and the message is not sent again."""
        from tencentcloud.sms.v20210111 import models

        start = message.first_try or timezone.now() - timedelta(hours=1)
        request = models.PullSmsSendStatusByPhoneNumberRequest()
        request.BeginTime = int(start.timestamp()) - 60
        request.EndTime = int(time.time())
        request.Offset = 0
        request.Limit = 100
        request.PhoneNumber = self._phone(message.phone)
        request.SmsSdkAppId = self.app_id
        try:
            response = self.client.PullSmsSendStatusByPhoneNumber(request)
        except Exception:
            log.warning("Could not ask Tencent Cloud about %s", mask_phone(message.phone))
            return None
        for status in response.PullSmsSendStatusSet or []:
            if status.SessionContext == message.out_id:
                return True
        return None


# What each gateway needs before Yishi may start with it (checked by notifications.checks).
REQUIRED_SETTINGS = {
    "notifications.sms.AliyunSender": (
        ("SMS_ACCESS_KEY_ID", "YISHI_SMS_ACCESS_KEY_ID"),
        ("SMS_ACCESS_KEY_SECRET", "YISHI_SMS_ACCESS_KEY_SECRET"),
        ("SMS_SIGN_NAME", "YISHI_SMS_SIGN_NAME"),
    ),
    "notifications.sms.TencentSender": (
        ("SMS_ACCESS_KEY_ID", "YISHI_SMS_ACCESS_KEY_ID"),
        ("SMS_ACCESS_KEY_SECRET", "YISHI_SMS_ACCESS_KEY_SECRET"),
        ("SMS_SIGN_NAME", "YISHI_SMS_SIGN_NAME"),
        ("SMS_SDK_APP_ID", "YISHI_SMS_SDK_APP_ID"),
    ),
}
