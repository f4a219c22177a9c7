"""The JSON API: every change through the actions, bad input a 4xx that writes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accountability.models import ActionItem, Evaluation, ProgressUpdate
from accountability.tests.conftest import codes_of
from accounts.models import ApiToken

API = "/api/v1"


def bearer(user):
    _token, key = ApiToken.issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def post(client, url, data, user=None):
    headers = bearer(user) if user else {}
    return client.post(url, data, content_type="application/json", **headers)


def test_list_an_item_and_walk_it_to_closing(world, client, issue, water_company, water_rep):
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    payload = {
        "community": world.c1.code,
        "title": "冲洗管道",
        "owner_organisation": water_company.pk,
        "deadline": deadline,
        "issues": [issue.pk],
        "milestones": [{"title": "管道", "due_on": deadline}],
    }
    response = post(client, f"{API}/action-items", payload, world.staff)
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["status"] == "listed" and item["residents_count"] == 5 and not item["overdue"]
    base = f"{API}/action-items/{item['id']}"
    assert post(client, f"{base}/progress", {"text": "开始"}, world.staff).status_code == 403
    assert post(client, f"{base}/progress", {"text": "开始"}, water_rep).status_code == 201
    assert post(client, f"{base}/done", {}, water_rep).json()["status"] == "done"
    closing = post(client, f"{base}/close", {}, world.staff)
    assert closing.status_code == 409
    assert closing.json()["error"]["code"] == "item_not_verified"
    code = codes_of(issue)[0]
    rate = f"{API}/concerns/{code}/action-items/{item['id']}/evaluations"
    rating = post(client, rate, {"rating": "satisfied"})  # no login: the code is the credential
    assert rating.status_code == 201
    again = post(client, rate, {"rating": "satisfied"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_rated"
    wrong = post(client, rate.replace(code, "BAD00000"), {"rating": "satisfied"})
    assert wrong.status_code == 404
    assert wrong.json()["error"]["code"] == "unknown_code"
    assert post(client, f"{base}/verify", {"note": "验收"}, world.staff).status_code == 200
    closed = post(client, f"{base}/close", {}, world.staff)
    assert closed.status_code == 200 and closed.json()["closed_at"]
    reopened = post(client, f"{base}/reopen", {"note": "复查不合格"}, world.staff)
    assert reopened.json()["status"] == "reopened"
    listing = client.get(f"{API}/action-items?status=reopened", **bearer(world.staff)).json()
    assert listing["count"] == 1
    ratings = client.get(f"{base}/evaluations", **bearer(world.staff)).json()
    assert ratings["count"] == 1 and [r["rating"] for r in ratings["items"]] == ["satisfied"]
    progress = client.get(f"{base}/progress?page_size=1", **bearer(world.staff)).json()
    assert progress["count"] == 1 and progress["items"][0]["text"] == "开始"
    assert "items" in client.get(f"{base}/progress?page=2", **bearer(world.staff)).json()


@pytest.mark.parametrize(
    "change, status, field",
    [
        ({"deadline": "2000-01-01"}, 400, "deadline"),
        ({"deadline": "not a date"}, 422, "deadline"),
        ({"community": "NOPE"}, 400, "community"),
        ({"owner_organisation": 99999}, 400, "owner_organisation"),
        ({"issues": [99999]}, 400, "issues"),
        ({"title": ""}, 400, "title"),
        ({"resolution": 99999}, 400, "resolution"),
    ],
)
def test_bad_listing_writes_nothing(world, client, issue, water_company, change, status, field):
    payload = {
        "community": world.c1.code,
        "title": "冲洗管道",
        "owner_organisation": water_company.pk,
        "deadline": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "issues": [issue.pk],
        **change,
    }
    response = post(client, f"{API}/action-items", payload, world.staff)
    assert response.status_code == status, response.content
    assert field in response.json()["error"]["fields"]
    assert not ActionItem.objects.exists()


def test_scope_and_authentication(world, client, item):
    base = f"{API}/action-items/{item.pk}"
    assert client.get(base).status_code == 401
    assert client.get(base, **bearer(world.staff2)).status_code == 404
    assert client.get(base, **bearer(world.district_officer)).status_code == 200
    assert post(client, f"{base}/reopen", {"note": "x"}, world.district_officer).status_code == 403
    assert post(client, f"{base}/progress", {"text": "x"}, world.staff2).status_code == 404
    assert (
        client.get(f"{API}/action-items?status=whatever", **bearer(world.staff)).status_code == 400
    )
    assert not ProgressUpdate.objects.exists()


def test_rating_bad_input(client, done_item, issue):
    code = codes_of(issue)[0]
    base = f"{API}/concerns/{code}/action-items/{done_item.pk}/evaluations"
    assert post(client, base, {"rating": "great"}).status_code == 422
    assert post(client, base, {"comment": "没有评价"}).status_code == 422
    assert post(client, base, {"rating": "satisfied", "comment": "长" * 1001}).status_code == 400
    elsewhere = f"{API}/concerns/{code}/action-items/99999/evaluations"
    assert post(client, elsewhere, {"rating": "satisfied"}).status_code == 404
    # Staff list the ratings; residents cannot post there.
    assert post(client, f"{API}/action-items/{done_item.pk}/evaluations", {}).status_code == 405
    assert not Evaluation.objects.exists()


def test_public_board_json_has_no_personal_data(world, client, item, water_rep):
    response = client.get(f"{API}/boards/{world.c1.code}")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["items"][0]
    assert set(row) == {
        "id",
        "title",
        "owner_organisation",
        "status",
        "deadline",
        "overdue",
        "residents_count",
        "latest_progress",
        "latest_progress_at",
        "closed_at",
        "story_url",
    }
    assert row["story_url"].endswith(f"/story/m/{item.story_token}/")
    assert client.get(f"{API}/boards/NOPE").status_code == 404


def test_progress_with_photos(client, item, water_rep):
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = _png()
    url = f"{API}/action-items/{item.pk}/progress-with-photos"
    headers = bearer(water_rep)
    not_a_photo = SimpleUploadedFile("x.gif", b"not an image", content_type="image/gif")
    response = client.post(url, {"text": "现场照片", "photos": [not_a_photo]}, **headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_an_image"
    assert not ProgressUpdate.objects.exists()
    photos = [SimpleUploadedFile(f"{n}.png", png, content_type="image/png") for n in range(2)]
    response = client.post(url, {"text": "现场照片", "photos": photos}, **headers)
    assert response.status_code == 201, response.content
    assert response.json()["photos"] == 2


def test_items_by_tracking_code(client, done_item, issue):
    code = codes_of(issue)[0]
    url = f"{API}/concerns/{code.lower()}/action-items"
    page = client.get(url).json()
    assert page["count"] == 1
    rows = page["items"]
    assert [(r["id"], r["can_rate"], r["rated"]) for r in rows] == [(done_item.pk, True, False)]
    rated = post(client, f"{url}/{done_item.pk}/evaluations", {"rating": "satisfied"})
    assert rated.status_code == 201, rated.content
    rows = client.get(url).json()["items"]
    assert [(r["can_rate"], r["rated"]) for r in rows] == [(False, True)]
    assert client.get(f"{API}/concerns/NOPE0000/action-items").status_code == 404


def test_list_filters_by_area_subtree(world, client, item):
    def count(query):
        return client.get(f"{API}/action-items?{query}", **bearer(world.staff)).json()["count"]

    street = world.c1.parent.code
    assert count(f"area={world.c1.code}") == count(f"area={street}") == count("") == 1
    assert count("area=NOPE") == count("area=C%001") == count("area=a/b") == 0


def test_overlong_input_is_a_clear_4xx(world, client, item, water_rep, issue, water_company):
    base = f"{API}/action-items/{item.pk}"
    assert post(client, f"{base}/progress", {"text": "长" * 2001}, water_rep).status_code == 400
    assert post(client, f"{base}/done", {"note": "长" * 2001}, water_rep).status_code == 400
    payload = {
        "community": world.c1.code,
        "title": "长" * 161,
        "owner_organisation": water_company.pk,
        "deadline": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "issues": [issue.pk],
    }
    assert post(client, f"{API}/action-items", payload, world.staff).status_code == 400
    item.refresh_from_db()
    assert item.status == ActionItem.Status.LISTED
    assert ActionItem.objects.count() == 1


def test_ids_beyond_the_database_range_are_a_422(world, client):
    huge = 2**64
    response = client.get(f"{API}/action-items/{huge}/progress", **bearer(world.staff))
    assert response.status_code == 422 and "item_id" in response.json()["error"]["fields"]


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "PNG")
    return buffer.getvalue()
