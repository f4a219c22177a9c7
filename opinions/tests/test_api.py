"""The JSON API: the same journey and the same scope as the pages."""

import pytest

from opinions.models import Forwarding, Report
from opinions.tests.conftest import submit

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(f"/api/v1{url}", data, content_type="application/json")


def test_api_journey(client, cppcc):
    w = cppcc
    client.force_login(w.cppcc)
    response = post(
        client,
        "/opinion-reports",
        {
            "area": "C1",
            "title": "公园缺少健身设施",
            "observation": "只有绿化",
            "affected": "居民",
            "suggestions": "建篮球场",
            "place": "中心公园",
        },
    )
    assert response.status_code == 201, response.content
    report_id = response.json()["id"]
    assert response.json()["status"] == "submitted" and response.json()["district"] == "D1"
    assert post(client, f"/opinion-reports/{report_id}/adopt", {}).status_code == 403

    client.force_login(w.office)
    assert (
        post(client, f"/opinion-reports/{report_id}/adopt", {"note": "采用"}).json()["status"]
        == "adopted"
    )
    response = post(
        client, f"/opinion-reports/{report_id}/forward", {"organisations": [w.sports.pk]}
    )
    assert response.status_code == 200, response.content
    (forwarding,) = response.json()["forwardings"]
    assert forwarding["organisation"] == w.sports.name and forwarding["overdue"] is False
    bad = post(client, f"/opinion-reports/{report_id}/forward", {"organisations": [w.elsewhere.pk]})
    assert bad.status_code == 400 and "organisations" in bad.json()["error"]["fields"]

    client.force_login(w.sports_rep)
    listed = client.get("/api/v1/opinion-reports").json()
    assert [r["id"] for r in listed["items"]] == [report_id]
    response = post(client, f"/opinion-forwardings/{forwarding['id']}/reply", {"text": "将建设"})
    assert response.status_code == 200 and response.json()["status"] == "replied"
    assert (
        post(client, f"/opinion-forwardings/{forwarding['id']}/reply", {"text": "x"}).status_code
        == 409
    )

    client.force_login(w.cppcc)
    assert (
        post(
            client, f"/opinion-forwardings/{forwarding['id']}/rating", {"rating": "nice"}
        ).status_code
        == 422
    )
    response = post(
        client, f"/opinion-forwardings/{forwarding['id']}/rating", {"rating": "satisfied"}
    )
    assert response.json()["rating"] == "satisfied"
    assert client.get(f"/api/v1/opinion-reports/{report_id}").json()["status"] == "replied"

    client.force_login(w.office)
    response = post(client, f"/opinion-reports/{report_id}/topic", {"title": "专题协商"})
    assert response.status_code == 200 and response.json()["title"] == "专题协商"


def test_api_return_merge_and_scope(client, cppcc):
    w = cppcc
    first, second = submit(w), submit(w, member=w.member2, title="另一份")
    client.force_login(w.other_member)
    assert client.get(f"/api/v1/opinion-reports/{first.pk}").status_code == 404
    assert client.get("/api/v1/opinion-reports").json() == {"items": [], "count": 0}
    assert (
        post(
            client,
            "/opinion-reports",
            {"area": "C1", "title": "x", "observation": "x", "affected": "x", "suggestions": "x"},
        ).status_code
        == 404
    )
    client.force_login(w.other_office)
    assert post(client, f"/opinion-reports/{first.pk}/adopt", {}).status_code == 404

    client.force_login(w.office)
    assert post(client, f"/opinion-reports/{first.pk}/return", {"note": ""}).status_code == 400
    assert (
        post(client, f"/opinion-reports/{first.pk}/return", {"note": "补充"}).json()["status"]
        == "returned"
    )
    merged = post(client, f"/opinion-reports/{second.pk}/merge", {"into": first.pk})
    assert merged.status_code == 409  # a returned report is not kept
    client.force_login(w.cppcc)
    revised = post(
        client,
        f"/opinion-reports/{first.pk}/revision",
        {"title": "t", "observation": "o", "affected": "a", "suggestions": "s"},
    )
    assert revised.json()["status"] == "submitted"
    client.force_login(w.office)
    merged = post(client, f"/opinion-reports/{second.pk}/merge", {"into": first.pk})
    assert merged.json()["merged_into_id"] == first.pk
    assert client.get("/api/v1/opinion-reports?status=merged").json()["count"] == 1
    assert client.get("/api/v1/opinion-reports?status=bogus").status_code == 400
    client.logout()
    assert client.get("/api/v1/opinion-reports").status_code == 401
    assert Report.objects.count() == 2 and not Forwarding.objects.exists()
