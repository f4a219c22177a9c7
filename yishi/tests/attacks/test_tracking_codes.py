"""Issue 13, "the tracking code is the resident's secret": each attack replayed as it was
made, and asserted to fail now.

- An anonymous Open311 list gave every tracking code; the code was all rating needed.
- Code lookups answered any number of guesses.
- Staff (a grid worker, a read-only district officer) rated with codes they were shown.
- Another client's Idempotency-Key answered with a resident's tracking code.
- The SMS log held tracking codes in clear.
"""

import io
import json
import logging

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accountability import actions as accountability
from accountability.models import ActionItem, Evaluation
from accountability.tests.conftest import publish
from accounts.models import ApiToken, Organisation
from concerns import actions as concerns
from concerns.intake import submit as intake
from concerns.models import Concern, Issue
from notifications.models import Delivery
from open311.models import ApiKey

API = "/api/v1"
V2 = "/open311/v2"
PHONE = "13995020003"


def bearer(user):
    _token, key = ApiToken.issue(user, "attack")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def post_json(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def settled_in_grid(world, *, content="宠物医院门口狗粪便没人清理，味道很大", phone=PHONE):
    """A resident's concern, handled and settled by their grid worker (小事不出网格)."""
    concern = intake.submit_concern(
        community=world.c1,
        content=content,
        channel=Concern.Channel.GRID_PHONE,
        phone=phone,
        actor=world.grid_worker,
    )
    issue = concern.issue
    concerns.accept_issue(issue, actor=world.grid_worker)
    concerns.record_site_visit(issue, actor=world.grid_worker, notes="门口确有粪便")
    concerns.settle_issue(issue, actor=world.grid_worker, outcome="宠物医院整改，每日清理")
    concern.refresh_from_db()
    return concern


def done_item(world, concern, company, rep):
    """An action item of `company` behind the concern's issue, reported done by `rep`."""
    issue = concern.issue
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.ACCEPTED)
    item = publish(world, company, issues=[issue])
    accountability.report_progress(item, actor=rep, text="已冲洗")
    accountability.mark_done(item, actor=rep)
    item.refresh_from_db()
    return item


# ---- 1. The anonymous Open311 list


def test_anonymous_open311_list_shows_no_tracking_code_and_what_it_shows_cannot_rate(client, world):
    concern = settled_in_grid(world)
    response = client.get(f"{V2}/requests.json")
    assert response.status_code == 200
    assert concern.tracking_code not in response.content.decode()
    [listed] = response.json()
    assert listed["service_request_id"] == concern.public_id
    one = client.get(f"{V2}/requests/{concern.public_id}.json")
    assert concern.tracking_code not in one.content.decode()
    # The attack: rate the matter with what the list gives.
    for exposed in (listed["service_request_id"], str(concern.pk)):
        url = f"{API}/concerns/{exposed}/issues/{concern.issue_id}/evaluations"
        rated = post_json(client, url, {"rating": "dissatisfied"})
        assert rated.status_code == 404
        assert rated.json()["error"]["code"] == "unknown_code"
    assert not Evaluation.objects.exists()
    concern.issue.refresh_from_db()
    assert concern.issue.status == Issue.Status.SETTLED


def test_staff_surfaces_name_concerns_by_id_never_by_code(client, world):
    concern = settled_in_grid(world)
    code = concern.tracking_code
    client.force_login(world.staff)
    detail = client.get(f"{API}/issues/{concern.issue_id}")
    assert detail.status_code == 200
    assert code not in detail.content.decode()
    [row] = detail.json()["concerns"]
    assert (row["id"], row["public_id"]) == (concern.pk, concern.public_id)
    assert "tracking_code" not in row
    page = client.get(reverse("concerns:issue", args=[concern.issue_id]))
    assert page.status_code == 200 and concern.public_id in page.content.decode()
    assert code not in page.content.decode()
    story = client.get(reverse("accountability:story", args=["concern", concern.pk]))
    assert story.status_code == 200 and code not in story.content.decode()
    ledger = client.get("/insights/a/C1/ledger/concerns.xlsx")
    assert ledger.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(ledger.streaming_content)))
    cells = [str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row]
    assert concern.public_id in cells
    assert not any(code in cell for cell in cells)


def test_staff_registering_for_a_resident_is_not_shown_the_code(client, world):
    client.force_login(world.grid_worker)
    registered = post_json(
        client,
        f"{API}/concerns",
        {"community": "C1", "content": "楼道灯坏了", "phone": PHONE, "channel": "grid_phone"},
    )
    assert registered.status_code == 201, registered.content
    concern = Concern.objects.get()
    assert registered.json()["tracking_code"] is None
    assert registered.json()["id"] == concern.public_id
    assert concern.tracking_code not in registered.content.decode()
    # The registration form: the message says the code goes to the resident, not what it is.
    page = client.post(
        reverse("concerns:register"),
        {
            "channel": "visit",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "content": "小区门口路灯不亮",
            "urgency": "normal",
            "phone": "13800138000",
        },
        follow=True,
    )
    assert page.status_code == 200, page.content[:300]
    second = Concern.objects.exclude(pk=concern.pk).get()
    text = page.content.decode()
    assert "查询码将通过短信发给居民" in text
    assert second.tracking_code not in text


# ---- 2. Guessing codes


GUESS = "ZZZZ9999"


@pytest.mark.parametrize(
    ("method", "url", "api"),
    [
        ("get", f"{API}/concerns/{GUESS}", True),
        ("get", f"{API}/concerns/{GUESS}/matter", True),
        ("get", f"{API}/concerns/{GUESS}/action-items", True),
        ("post", f"{API}/concerns/{GUESS}/issues/1/evaluations", True),
        ("post", f"{API}/concerns/{GUESS}/action-items/1/evaluations", True),
        ("get", f"/concerns/t/{GUESS}/", False),
        ("get", f"/concerns/track/?code={GUESS}", False),
        ("get", f"/accountability/story/code/{GUESS}/", False),
        ("get", f"/accountability/rate/{GUESS}/", False),
        ("post", f"/accountability/rate/{GUESS}/", False),
    ],
)
def test_a_code_guessed_100_times_gets_429_with_retry_after(client, world, method, url, api):
    concern = settled_in_grid(world)
    answers = []
    for n in range(100):
        guess = url.replace(GUESS, f"ZZZZ{n:04d}".replace("0", "A").replace("1", "B"))
        if method == "post":
            answers.append(post_json(client, guess, {"rating": "satisfied"}))
        else:
            answers.append(client.get(guess))
    statuses = [a.status_code for a in answers]
    assert statuses[:10] == [404] * 10  # ten wrong guesses are answered
    assert statuses[10:] == [429] * 90  # then no more
    last = answers[-1]
    assert int(last["Retry-After"]) > 0
    if api:
        assert last.json()["error"]["code"] == "rate_limited"
    else:
        assert "请稍候" in last.content.decode() or "稍后" in last.content.decode()
    # The resident's own code is refused from that address too, until the window ends…
    assert client.get(f"{API}/concerns/{concern.tracking_code}").status_code == 429
    # …and works from any other.
    elsewhere = client.get(f"{API}/concerns/{concern.tracking_code}", REMOTE_ADDR="10.0.0.9")
    assert elsewhere.status_code == 200
    assert not Evaluation.objects.exists()


def test_every_surface_reads_a_typed_code_the_same_way(client, world):
    concern = settled_in_grid(world)
    code = concern.tracking_code
    typed = f" {code[:4].lower()} -{code[4:].lower()} "
    assert client.get(f"{API}/concerns/{typed}").json()["tracking_code"] == code
    assert client.get(f"{API}/concerns/{typed}/matter").status_code == 200
    tracked = client.get(reverse("concerns:track") + f"?code={typed}")
    assert tracked.status_code == 302 and tracked["Location"].endswith(f"/t/{code}/")
    assert client.get(f"/concerns/t/{typed}/").status_code == 200
    story = client.get(reverse("accountability:story_lookup") + f"?code={typed}")
    assert story.status_code == 302 and story["Location"].endswith(f"/code/{code}/")
    assert client.get(f"/accountability/story/code/{typed}/").status_code == 200
    assert client.get(f"/accountability/rate/{typed}/").status_code == 200
    url = f"{API}/concerns/{typed}/issues/{concern.issue_id}/evaluations"
    assert post_json(client, url, {"rating": "satisfied"}).status_code == 201


# ---- 3. Staff rating as residents


def test_grid_worker_cannot_rate_their_own_settled_matter(client, world):
    concern = settled_in_grid(world)
    code = concern.tracking_code
    url = f"{API}/concerns/{code}/issues/{concern.issue_id}/evaluations"
    by_token = post_json(client, url, {"rating": "satisfied"}, **bearer(world.grid_worker))
    assert by_token.status_code == 403
    assert by_token.json()["error"]["code"] == "staff_cannot_rate"
    assert "工作人员" in by_token.json()["error"]["message"]
    client.force_login(world.grid_worker)
    by_session = post_json(client, url, {"rating": "satisfied"})
    assert by_session.status_code == 403
    assert by_session.json()["error"]["code"] == "staff_cannot_rate"
    # The pages: no rating box for a signed-in staff member, and a post is refused.
    tracked = client.get(reverse("concerns:track_code", args=[code])).content.decode()
    assert 'id="rate-box"' not in tracked and "staff-no-rating" in tracked
    box = client.get(reverse("accountability:rate", args=[code]))
    assert box.status_code == 403 and "rate-refused" in box.content.decode()
    assert "<form" not in box.content.decode().split("rate-refused")[1].split("</section>")[0]
    page = client.post(
        reverse("accountability:rate", args=[code]),
        {"issue": concern.issue_id, "rating": "satisfied"},
    )
    assert page.status_code == 403
    assert not Evaluation.objects.exists()


def test_read_only_district_officer_cannot_reopen_an_item_with_a_code(
    client, world, water_company, water_rep
):
    concern = settled_in_grid(world)
    item = done_item(world, concern, water_company, water_rep)
    code = concern.tracking_code
    url = f"{API}/concerns/{code}/action-items/{item.pk}/evaluations"
    answer = post_json(client, url, {"rating": "dissatisfied"}, **bearer(world.district_officer))
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "staff_cannot_rate"
    client.force_login(world.district_officer)
    story = client.get(reverse("accountability:story_code", args=[code]))
    assert story.status_code == 200 and 'name="rating"' not in story.content.decode()
    refused = client.post(
        reverse("accountability:story_code", args=[code]),
        {"item": item.pk, "rating": "dissatisfied"},
    )
    assert refused.status_code == 403
    box = client.post(
        reverse("accountability:rate", args=[code]), {"item": item.pk, "rating": "dissatisfied"}
    )
    assert box.status_code == 403
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
    assert not Evaluation.objects.exists()
    # The resident, signed in nowhere, still rates.
    client.logout()
    assert post_json(client, url, {"rating": "satisfied"}).status_code == 201


# ---- 4. Another client's Idempotency-Key


def test_another_clients_idempotency_key_does_not_reveal_the_code(client, world):
    key = {"HTTP_IDEMPOTENCY_KEY": "shared-key-1"}
    body = {"community": "C1", "content": "楼道灯坏了三天了", "phone": PHONE}
    first = post_json(client, f"{API}/concerns", body, **key)
    assert first.status_code == 201
    code = first.json()["tracking_code"]
    # The same client retrying gets its first answer.
    again = post_json(client, f"{API}/concerns", body, **key)
    assert again.status_code == 201 and again.json()["tracking_code"] == code
    # Another client, same key: its own concern, never the first one's code.
    other = post_json(
        client, f"{API}/concerns", {**body, "phone": "13800138000", "content": "想看"}, **key
    )
    assert other.status_code == 201
    assert code not in other.content.decode()
    same_words = post_json(client, f"{API}/concerns", {**body, "phone": "13800138001"}, **key)
    assert same_words.status_code == 201 and code not in same_words.content.decode()
    # The same phone reusing the key with another body is told so.
    reused = post_json(client, f"{API}/concerns", {**body, "content": "别的事"}, **key)
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert code not in reused.content.decode()
    assert Concern.objects.count() == 3


def test_open311_idempotency_key_is_bound_to_the_resident(client, world):
    organisation = Organisation.objects.create(
        name="12345热线", kind=Organisation.Kind.GOVERNMENT_DEPARTMENT
    )
    _api_key, secret = ApiKey.issue(name="hotline", organisation=organisation, areas=[world.c1])
    form = {
        "api_key": secret,
        "service_code": "noise",
        "address_string": "一号社区",
        "description": "楼下广场舞音响太吵",
        "phone": PHONE,
    }
    key = {"HTTP_IDEMPOTENCY_KEY": "o311-key"}
    first = client.post(f"{V2}/requests.json", form, **key)
    assert first.status_code == 200, first.content
    concern = Concern.objects.get()
    other = client.post(f"{V2}/requests.json", {**form, "phone": "13800138000"}, **key)
    assert other.status_code == 200
    assert concern.tracking_code not in other.content.decode()
    assert other.json()[0]["service_request_id"] != concern.public_id
    reused = client.post(f"{V2}/requests.json", {**form, "description": "另一件事"}, **key)
    assert reused.status_code == 422
    assert concern.tracking_code not in reused.content.decode()


# ---- 5. The SMS log


def test_sms_log_and_delivery_admin_hold_no_code_in_clear(
    client, world, settings, caplog, django_capture_on_commit_callbacks
):
    settings.SMS_SENDER = "notifications.sms.LogSender"
    settings.SITE_URL = "https://yishi.example.cn"
    with (
        caplog.at_level(logging.INFO, logger="yishi.sms"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        concern = intake.submit_concern(
            community=world.c1, content="楼道灯坏了", channel=Concern.Channel.WEB, phone=PHONE
        )
    code = concern.tracking_code
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "yishi.sms")
    assert "SMS to 139****0003" in logged
    assert code not in logged and f"{code[:2]}******" in logged
    delivery = Delivery.objects.get(channel=Delivery.Channel.SMS)
    assert code in delivery.body  # what the resident's SMS says
    client.force_login(world.admin)
    page = client.get(reverse("admin:notifications_delivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    assert code not in page.content.decode()
    listing = client.get(reverse("admin:concerns_concern_changelist"))
    assert listing.status_code == 200 and code not in listing.content.decode()
    assert concern.public_id in listing.content.decode()
