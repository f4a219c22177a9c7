"""One rule for free text (core.text.plain_text), the same answer on every surface that takes
it: the resident API, the resident form, Open311 POST and a staff API. Text is plain text,
kept as written and escaped where shown; only control characters are refused."""

import json

import pytest
from django.urls import reverse

from accounts.models import ApiToken, Organisation
from concerns.intake.submit import submit_concern
from concerns.models import Concern, Issue
from conftest import PASSWORD
from core.errors import ActionError
from core.text import plain_text
from open311.models import ApiKey

TITLE = "关于<某市征地补偿安置办法>第十二条的补偿标准，村里至今没有按文件兑现"
SCRIPT = "<script>alert(1)</script> 楼道灯坏了"
REFUSED = "Remove the control characters from this text."

# (as sent, as stored) or (as sent, None) when refused.
CASES = [
    (TITLE, TITLE),
    (SCRIPT, SCRIPT),
    ("a < b && c > d, 5 > 3", "a < b && c > d, 5 > 3"),
    ("第一行\r\n第二行\r第三行\n\t缩进", "第一行\n第二行\n第三行\n\t缩进"),
    ("路灯坏了\x00", None),
    ("路灯坏了\x07", None),
    ("路灯\x1b[31m坏了", None),
    ("路灯坏了\x90", None),
    ("路灯坏了\x7f", None),
    ("\x0e路灯坏了", None),
    # Line breaks pasted from a word processor or a web page are line breaks.
    ("一\x0b二\x0c三\x85四\u2028五\u2029六", "一\n二\n三\n四\n五\n六"),
]


def bearer(user) -> dict:
    _token, key = ApiToken.issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def via_api(client, world, text):
    response = client.post(
        "/api/v1/concerns",
        json.dumps({"community": "C1", "content": text, "phone": "13800000001"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    if response.status_code == 201:
        return "stored", Concern.objects.get(tracking_code=response.json()["tracking_code"]).content
    error = response.json()["error"]
    assert response.status_code == 400 and error["fields"] == {"content": [error["message"]]}
    return error["code"], error["message"]


def via_form(client, world, text):
    data = {"community": "C1", "content": text, "phone": "13800000002"}
    response = client.post(reverse("concerns:submit"), data, HTTP_ACCEPT_LANGUAGE="en")
    if response.status_code == 302:
        code = response["Location"].rstrip("/").rsplit("/", 1)[1]
        return "stored", Concern.objects.get(tracking_code=code).content
    html = response.content.decode()
    assert response.status_code == 400
    field = html.split('id="field-content"', 1)[1].split('class="field', 1)[0]
    assert REFUSED in field
    return "control_characters", REFUSED


def via_open311(client, world, text):
    organisation = Organisation.objects.create(
        name="12345热线", kind=Organisation.Kind.GOVERNMENT_DEPARTMENT
    )
    _api_key, key = ApiKey.issue(name="hotline", organisation=organisation, areas=[world.c1])
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "noise",
            "address_string": "一号社区",
            "description": text,
            "phone": "13800000003",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    if response.status_code == 200:
        return "stored", Concern.objects.get(open311_request__isnull=False).content
    assert response.status_code == 400
    (error,) = response.json()
    return "control_characters", error["description"]


def via_staff_api(client, world, text):
    concern = submit_concern(
        community=world.c1, content="路灯坏了", phone="13800000004", channel="web"
    )
    response = client.post(
        f"/api/v1/issues/{concern.issue_id}/settle",
        json.dumps({"outcome": text}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **bearer(world.staff),
    )
    if response.status_code == 200:
        return "stored", Issue.objects.get(pk=concern.issue_id).outcome
    error = response.json()["error"]
    assert response.status_code == 400 and error["fields"] == {"outcome": [error["message"]]}
    return error["code"], error["message"]


SURFACES = [via_api, via_form, via_open311, via_staff_api]


@pytest.mark.parametrize(("sent", "stored"), CASES)
def test_every_surface_gives_the_same_answer(client, world, settings, sent, stored):
    settings.LANGUAGE_CODE = "en"
    answers = {surface.__name__: surface(client, world, sent) for surface in SURFACES}
    expected = ("stored", stored) if stored is not None else ("control_characters", REFUSED)
    assert answers == dict.fromkeys(answers, expected)


def test_the_rule_itself():
    assert plain_text("  <b>粗</b>\r\n  ", "x") == "<b>粗</b>"
    with pytest.raises(ActionError) as refused:
        plain_text("\ud800", "x")  # a lone surrogate: UTF-8 cannot store it
    assert refused.value.code == "control_characters" and refused.value.field == "x"
    with pytest.raises(ActionError) as refused:
        plain_text(" ", "x", required="Say something.")
    assert refused.value.code == "required" and refused.value.message == "Say something."
    with pytest.raises(ActionError) as refused:
        plain_text("水" * 11, "x", limit=10)
    assert refused.value.code == "too_long"


def test_script_text_is_shown_escaped_to_staff_and_on_the_tracking_page(client, world):
    concern = submit_concern(community=world.c1, content=SCRIPT, phone="13800000005", channel="web")
    response = client.post(
        f"/api/v1/issues/{concern.issue_id}/settle",
        json.dumps({"outcome": f"已修好。{SCRIPT}"}),
        content_type="application/json",
        **bearer(world.staff),
    )
    assert response.status_code == 200
    tracking = client.get(reverse("concerns:track_code", args=[concern.tracking_code]))
    assert client.login(username=world.staff.username, password=PASSWORD)
    staff = client.get(reverse("concerns:issue", args=[concern.issue_id]))
    for page in (tracking, staff):
        html = page.content.decode()
        assert page.status_code == 200 and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert" not in html


def test_a_replay_with_crlf_is_the_same_request(client, world, settings):
    settings.CONCERN_SUBMIT_PER_PHONE = 1  # the replay is answered from the stored concern
    sent = {"community": "C1", "content": "第一行\r\n<第二行>", "phone": "13800000006"}
    answers = [
        client.post(
            "/api/v1/concerns",
            json.dumps(sent),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k-crlf",
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["tracking_code"] == answers[1].json()["tracking_code"]
    assert Concern.objects.get().content == "第一行\n<第二行>"


def long_formal_post() -> str:
    """A board post of exactly 3,000 characters quoting a regulation between < and >."""
    subject = "关于<某市征地补偿安置办法>执行中补偿标准过低的反映"
    paragraph = (
        "我们是某县某镇某村的村民，2022年村里的耕地被征收，按照<某市征地补偿安置办法>"
        "第十二条，土地补偿费和安置补助费合计每亩不低于四万八千元，而村民实际领到的只有"
        "每亩三万二千元，差额至今没有说明去向。请有关部门依法核查并公开账目 & 明细。"
    )
    body = (paragraph * (3000 // len(paragraph) + 1))[: 3000 - len(subject) - 1]
    text = f"{subject}\n{body}"
    assert len(text) == 3000
    return text


def test_a_long_formal_post_with_a_title_in_angle_brackets_is_taken_from_staff(client, world):
    text = long_formal_post()
    response = client.post(
        "/api/v1/concerns",
        json.dumps({"community": "C1", "content": text, "phone": "13800000007"}),
        content_type="application/json",
        **bearer(world.staff),
    )
    assert response.status_code == 201, response.content
    assert response.json()["tracking_code"] is None  # staff never see a resident's code
    concern = Concern.objects.get(public_id=response.json()["id"])
    assert concern.content == text  # kept as written: no markup stripped, nothing cut
    # The resident's page shows the matter's public title, never the words; staff see the
    # words (and the working title made from them) escaped.
    tracking = client.get(reverse("concerns:track_code", args=[concern.tracking_code]))
    assert tracking.status_code == 200
    assert "<某市征地补偿安置办法>" not in tracking.content.decode()
    assert client.login(username=world.staff.username, password=PASSWORD)
    staff = client.get(reverse("concerns:issue", args=[concern.issue_id]))
    html = staff.content.decode()
    assert staff.status_code == 200
    assert "&lt;某市征地补偿安置办法&gt;" in html
    assert "<某市征地补偿安置办法>" not in html
