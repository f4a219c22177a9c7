"""The Alibaba Cloud and Tencent Cloud senders, through their own SDKs, against a fake gateway
on 127.0.0.1 (plain http: both SDKs take the scheme from the endpoint setting). Each test
recomputes the request's signature from what the fake gateway received and the test secret,
and checks the number, the template and its values; a refusal is tried again later and sent
once; a timeout is confirmed with the gateway, never resent blindly. Nothing reaches the
network."""

import hashlib
import hmac
import json
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from concerns.tests.conftest import make_issue
from notifications.models import Delivery
from notifications.services import deliver_event, send_pending
from timeline.services import record

KEY_ID = "LTAI-test-key-id"
SECRET = "test-secret-不要外传"
TEMPLATES = {
    "accepted": {"template": "SMS_480001", "params": ["words", "code"]},
    "received": {"template": "SMS_480002", "params": ["words", "code", "path"]},
}


class FakeGateway:
    """A gateway on 127.0.0.1: records each request; answers from `script` in turn, each a
    (status, json body) or ("hang", seconds) to answer too late."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[tuple] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                gateway.requests.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                answer = gateway.script.pop(0) if gateway.script else (200, {})
                if answer[0] == "hang":
                    time.sleep(answer[1])
                    answer = answer[2]
                status, payload = answer
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def calls(self, action):
        return [r for r in self.requests if self.action(r) == action]

    @staticmethod
    def action(request):
        headers = {k.lower(): v for k, v in request["headers"].items()}
        return headers.get("x-acs-action") or headers.get("x-tc-action")


@pytest.fixture
def gateway(settings):
    fake = FakeGateway()
    settings.SMS_ENDPOINT = fake.url
    settings.SMS_ACCESS_KEY_ID = KEY_ID
    settings.SMS_ACCESS_KEY_SECRET = SECRET
    settings.SMS_SIGN_NAME = "议事社区"
    settings.SMS_SDK_APP_ID = "1400000001"
    settings.SMS_TEMPLATES = json.dumps(TEMPLATES)
    settings.SMS_TIMEOUT = 1
    settings.SMS_RETRY_MINUTES = [1, 5, 30, 120]
    yield fake
    fake.close()


def accepted_event(world, words="楼道路灯坏了很久晚上出入很不方便希望尽快修好谢谢社区"):
    issue = make_issue(world.c1, words, residents=1)
    concern = issue.concerns.get()
    return record(issue, "issue.accepted", actor_label="社区"), concern


# --- Alibaba Cloud: ACS3-HMAC-SHA256 ---------------------------------------------------


def check_acs3_signature(request):
    """Recompute Alibaba's ACS3-HMAC-SHA256 from the request as received."""
    headers = {k.lower(): v for k, v in request["headers"].items()}
    algorithm, _, rest = headers["authorization"].partition(" ")
    assert algorithm == "ACS3-HMAC-SHA256"
    fields = dict(part.split("=", 1) for part in rest.split(","))
    assert fields["Credential"] == KEY_ID
    signed = fields["SignedHeaders"].split(";")
    assert {"host", "x-acs-action", "x-acs-date", "x-acs-signature-nonce"} <= set(signed)
    payload = hashlib.sha256(request["body"]).hexdigest()
    assert headers["x-acs-content-sha256"] == payload
    url = urlsplit(request["path"])
    query = sorted(parse_qsl(url.query, keep_blank_values=True))
    canonical_query = "&".join(f"{k}={quote(v, safe='~')}" for k, v in query)
    canonical_headers = "".join(f"{name}:{headers[name].strip()}\n" for name in signed)
    canonical = "\n".join(
        ["POST", url.path or "/", canonical_query, canonical_headers, ";".join(signed), payload]
    )
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    expected = hmac.new(SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(fields["Signature"], expected)
    # A wrong secret would not give this signature: the check can fail.
    assert hmac.new(b"wrong", to_sign.encode(), hashlib.sha256).hexdigest() != expected
    return dict(query)


ALI_OK = (200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r"})


def test_aliyun_sends_a_signed_templated_request(world, gateway, settings):
    settings.SMS_SENDER = "aliyun"
    gateway.script = [ALI_OK]
    event, concern = accepted_event(world)
    assert deliver_event(event) == 1
    [sent] = gateway.calls("SendSms")
    query = check_acs3_signature(sent)
    assert query["PhoneNumbers"] == concern.phone
    assert query["SignName"] == "议事社区"
    assert query["TemplateCode"] == "SMS_480001"
    params = json.loads(query["TemplateParam"])
    assert params["code"] == concern.tracking_code
    assert params["words"].endswith("…") and len(params["words"]) <= 35
    assert params["words"].startswith("楼道路灯")
    row = Delivery.objects.get(channel="sms")
    assert query["OutId"] == f"yishi-{row.pk}"
    assert (row.status, row.gateway_id) == (Delivery.Status.SENT, "900619746936498440^0")


def _refused_twice_then_sent(world, gateway, refusal):
    """A resident's SMS through a gateway scripted to fail, refuse (`refusal` in its answer)
    and then take it: tried at each due time, never before, and sent once on the third try.
    Returns the row and the gateway's three calls."""
    event, _concern = accepted_event(world)
    assert deliver_event(event) == 0
    row = Delivery.objects.get(channel="sms")
    assert row.status == Delivery.Status.RETRY
    assert send_pending() == 0  # not before its time
    assert len(gateway.calls("SendSms")) == 1
    assert send_pending(now=row.next_attempt_at) == 0  # the gateway's error code
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Delivery.Status.RETRY, 2)
    assert refusal in row.error
    assert send_pending(now=row.next_attempt_at) == 1
    assert send_pending(now=row.next_attempt_at + timedelta(days=1)) == 0
    calls = gateway.calls("SendSms")
    assert len(calls) == 3
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Delivery.Status.SENT, 3)
    return row, calls


def test_aliyun_refusal_is_retried_later_and_sent_once(world, gateway, settings):
    settings.SMS_SENDER = "aliyun"
    gateway.script = [
        (500, {"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "r"}),
        (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "limit", "RequestId": "r"}),
        ALI_OK,
    ]
    row, calls = _refused_twice_then_sent(world, gateway, "BUSINESS_LIMIT_CONTROL")
    # Every try carries the same OutId: the gateway's key for this one message.
    assert {check_acs3_signature(c)["OutId"] for c in calls} == {f"yishi-{row.pk}"}


def test_aliyun_timeout_is_confirmed_not_resent(world, gateway, settings):
    settings.SMS_SENDER = "aliyun"
    gateway.script = [("hang", 2.5, ALI_OK)]  # the gateway took it but answered too late
    event, concern = accepted_event(world)
    assert deliver_event(event) == 0
    row = Delivery.objects.get(channel="sms")
    assert row.status == Delivery.Status.UNSURE
    out_id = f"yishi-{row.pk}"
    listing = {
        "Code": "OK",
        "TotalCount": 1,
        "SmsSendDetailDTOs": {
            "SmsSendDetailDTO": [{"OutId": out_id, "PhoneNum": concern.phone, "SendStatus": 3}]
        },
    }
    gateway.script = [(200, listing)]
    call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Delivery.objects.get(pk=row.pk).status == Delivery.Status.UNSURE  # asked later
    assert send_pending(now=row.next_attempt_at) == 1
    [query] = gateway.calls("QuerySendDetails")
    asked = check_acs3_signature(query)
    assert asked["PhoneNumber"] == concern.phone
    assert asked["SendDate"] == f"{timezone.localtime(row.claimed_at):%Y%m%d}"
    assert len(gateway.calls("SendSms")) == 1  # one message, never two
    row.refresh_from_db()
    assert row.status == Delivery.Status.SENT


def test_aliyun_timeout_not_found_is_sent_again_with_the_same_out_id(world, gateway, settings):
    settings.SMS_SENDER = "aliyun"
    gateway.script = [("hang", 2.5, (500, {"Code": "InternalError"}))]
    event, _concern = accepted_event(world)
    deliver_event(event)
    row = Delivery.objects.get(channel="sms")
    gateway.script = [(200, {"Code": "OK", "TotalCount": 0, "SmsSendDetailDTOs": {}}), ALI_OK]
    assert send_pending(now=row.next_attempt_at) == 1
    first, second = gateway.calls("SendSms")
    assert check_acs3_signature(first)["OutId"] == check_acs3_signature(second)["OutId"]
    assert Delivery.objects.get(pk=row.pk).status == Delivery.Status.SENT


@pytest.mark.parametrize("sender", ["aliyun", "tencent"])
def test_an_unreachable_gateway_is_simply_tried_again(world, gateway, settings, sender):
    """No connection, so nothing can have been sent: retried, not left unconfirmed."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    settings.SMS_SENDER = sender
    settings.SMS_ENDPOINT = f"http://127.0.0.1:{port}"
    event, _concern = accepted_event(world)
    assert deliver_event(event) == 0
    row = Delivery.objects.get(channel="sms")
    assert (row.status, row.error) == (Delivery.Status.RETRY, "gateway unreachable")
    settings.SMS_ENDPOINT = gateway.url
    gateway.script = [ALI_OK if sender == "aliyun" else tc_ok()]
    assert send_pending(now=row.next_attempt_at) == 1
    assert len(gateway.calls("SendSms")) == 1


# --- Tencent Cloud: TC3-HMAC-SHA256 ----------------------------------------------------


def check_tc3_signature(request):
    """Recompute Tencent Cloud's TC3-HMAC-SHA256 from the request as received."""
    headers = {k.lower(): v for k, v in request["headers"].items()}
    algorithm, _, rest = headers["authorization"].partition(" ")
    assert algorithm == "TC3-HMAC-SHA256"
    fields = dict(part.strip().split("=", 1) for part in rest.split(","))
    key_id, day, service, terminator = fields["Credential"].split("/")
    assert (key_id, service, terminator) == (KEY_ID, "sms", "tc3_request")
    timestamp = int(headers["x-tc-timestamp"])
    assert day == datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    signed = fields["SignedHeaders"].split(";")
    canonical = "\n".join(
        [
            "POST",
            urlsplit(request["path"]).path or "/",
            "",
            "".join(f"{name}:{headers[name]}\n" for name in signed),
            ";".join(signed),
            hashlib.sha256(request["body"]).hexdigest(),
        ]
    )
    scope = f"{day}/sms/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )

    def mac(key, text):
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    key = mac(mac(mac(("TC3" + SECRET).encode(), day), "sms"), "tc3_request")
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(fields["Signature"], expected)
    return json.loads(request["body"])


def tc_ok(serial="2640:0000000001"):
    return (
        200,
        {
            "Response": {
                "SendStatusSet": [
                    {"SerialNo": serial, "PhoneNumber": "+86", "Code": "Ok", "Message": "send ok"}
                ],
                "RequestId": "r",
            }
        },
    )


def tc_error(code):
    return (200, {"Response": {"Error": {"Code": code, "Message": "no"}, "RequestId": "r"}})


def test_tencent_sends_a_signed_templated_request(world, gateway, settings):
    settings.SMS_SENDER = "tencent"
    gateway.script = [tc_ok()]
    event, concern = accepted_event(world)
    assert deliver_event(event) == 1
    [sent] = gateway.calls("SendSms")
    body = check_tc3_signature(sent)
    assert body["PhoneNumberSet"] == [f"+86{concern.phone}"]
    assert body["SmsSdkAppId"] == "1400000001"
    assert body["SignName"] == "议事社区"
    assert body["TemplateId"] == "SMS_480001"
    words, code = body["TemplateParamSet"]  # in the template's order
    assert code == concern.tracking_code and words.startswith("楼道路灯")
    row = Delivery.objects.get(channel="sms")
    assert body["SessionContext"] == f"yishi-{row.pk}"
    assert (row.status, row.gateway_id) == (Delivery.Status.SENT, "2640:0000000001")


def test_tencent_refusal_is_retried_later_and_sent_once(world, gateway, settings):
    settings.SMS_SENDER = "tencent"
    gateway.script = [(500, {"oops": True}), tc_error("LimitExceeded.PhoneNumberDailyLimit")]
    gateway.script.append(tc_ok())
    row, calls = _refused_twice_then_sent(world, gateway, "LimitExceeded")
    assert {check_tc3_signature(c)["SessionContext"] for c in calls} == {f"yishi-{row.pk}"}


def test_tencent_timeout_is_not_sent_twice(world, gateway, settings):
    """Tencent's reports come late: finding none proves nothing, so the message is left
    unconfirmed for staff, not sent again."""
    settings.SMS_SENDER = "tencent"
    gateway.script = [("hang", 2.5, tc_ok())]
    event, concern = accepted_event(world)
    assert deliver_event(event) == 0
    row = Delivery.objects.get(channel="sms")
    assert row.status == Delivery.Status.UNSURE
    gateway.script = [(200, {"Response": {"PullSmsSendStatusSet": [], "RequestId": "r"}})]
    assert send_pending(now=row.next_attempt_at) == 0
    [pulled] = gateway.calls("PullSmsSendStatusByPhoneNumber")
    assert check_tc3_signature(pulled)["PhoneNumber"] == f"+86{concern.phone}"
    assert send_pending(now=row.next_attempt_at + timedelta(days=1)) == 0
    assert len(gateway.calls("SendSms")) == 1
    row.refresh_from_db()
    assert (row.status, row.next_attempt_at) == (Delivery.Status.UNSURE, None)


def test_tencent_timeout_found_in_the_reports_is_sent(world, gateway, settings):
    settings.SMS_SENDER = "tencent"
    gateway.script = [("hang", 2.5, tc_ok())]
    event, concern = accepted_event(world)
    deliver_event(event)
    row = Delivery.objects.get(channel="sms")
    report = {"SessionContext": f"yishi-{row.pk}", "PhoneNumber": f"+86{concern.phone}"}
    gateway.script = [(200, {"Response": {"PullSmsSendStatusSet": [report], "RequestId": "r"}})]
    assert send_pending(now=row.next_attempt_at) == 1
    assert len(gateway.calls("SendSms")) == 1
    assert Delivery.objects.get(pk=row.pk).status == Delivery.Status.SENT


# --- start-up checks and templates -----------------------------------------------------


def errors(settings):
    from notifications.checks import sms_sender_check

    return [(e.id, e.msg) for e in sms_sender_check()]


FULL_TEMPLATES = {
    "received": {"template": "SMS_1", "params": ["words", "code", "path"]},
    "accepted": "SMS_2",  # a bare code: the kind's values, in their order
    "meeting_notice": {"template": "SMS_3", "params": {"m": "meeting", "t": "when"}},
    "meeting_moved": "SMS_4",
    "published": "SMS_5",
    "listed": "SMS_6",
    "settled": "SMS_7",
    "notice": "SMS_8",
    "invitation": "SMS_9",
    "invitation_moved": "SMS_10",
    "grid_concern": "SMS_11",
    "follow_code": "SMS_12",
    "follow_news": "SMS_13",
}


def test_a_gateway_without_its_settings_stops_start_up(settings):
    settings.SMS_SENDER = "log"
    assert errors(settings) == []
    settings.SMS_SENDER = "tencent"
    for name in ("SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME", "SMS_SDK_APP_ID"):
        setattr(settings, name, "")
    settings.SMS_TEMPLATES = "{}"
    found = errors(settings)
    assert [i for i, _m in found].count("notifications.E002") == 4
    assert any("YISHI_SMS_SDK_APP_ID" in m for _i, m in found)
    assert any(i == "notifications.E004" and "received" in m for i, m in found)

    settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = KEY_ID, SECRET
    settings.SMS_SIGN_NAME, settings.SMS_SDK_APP_ID = "议事社区", "1400000001"
    settings.SMS_TEMPLATES = json.dumps(FULL_TEMPLATES)
    assert errors(settings) == []
    settings.SMS_SENDER = "aliyun"
    settings.SMS_SDK_APP_ID = ""  # Alibaba does not need it
    assert errors(settings) == []

    settings.SMS_TEMPLATES = '{"received": '
    assert [i for i, _m in errors(settings)] == ["notifications.E003"]
    settings.SMS_TEMPLATES = json.dumps(
        FULL_TEMPLATES | {"accepted": {"template": "SMS_2", "params": ["words", "phone"]}}
    )
    assert [(i, "phone" in m) for i, m in errors(settings)] == [("notifications.E005", True)]
    settings.SMS_SENDER = "yishi.nowhere.Sender"
    assert [i for i, _m in errors(settings)] == ["notifications.E001"]


def test_values_are_cut_to_the_gateway_limit_but_codes_and_links_never(settings):
    from notifications.sms import SmsError, SmsMessage, template_for

    settings.SMS_TEMPLATES = json.dumps(FULL_TEMPLATES)
    settings.SMS_PARAM_MAX = 12
    long_path = "/concerns/t/A1234567/with/a/long/path/"
    message = SmsMessage(
        phone="13900000000",
        text="",
        kind="received",
        params={
            "words": "小区东门的路灯已经坏了三个多月晚上很黑",
            "code": "A1234567",
            "path": long_path,
        },
    )
    code, values = template_for(message)
    assert code == "SMS_1"
    assert list(values) == ["words", "code", "path"]
    assert len(values["words"]) <= 12 and values["words"].endswith("…")
    assert (values["code"], values["path"]) == ("A1234567", long_path)
    meeting = SmsMessage(
        "1", "", "meeting_notice", {"meeting": "议事会", "when": "2026-12-01 19:00"}
    )
    assert template_for(meeting) == ("SMS_3", {"m": "议事会", "t": "2026-12-01 19:00"})
    settings.SMS_TEMPLATES = "{}"
    with pytest.raises(SmsError):
        template_for(message)
