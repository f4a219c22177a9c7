"""The JSON API base: public lists, one error format, the OpenAPI document."""

import pytest

pytestmark = pytest.mark.django_db


def test_areas_filter_by_kind_and_parent(client, world):
    body = client.get("/api/v1/areas?kind=community").json()
    assert body["count"] == 2
    assert body["items"][0] == {
        "code": "C1",
        "name": "一号社区",
        "kind": "community",
        "parent": "S1",
    }
    grids = client.get("/api/v1/areas?parent=C1").json()["items"]
    assert [g["code"] for g in grids] == ["C1G1", "C1G2"]
    below = client.get("/api/v1/areas?area=S1&kind=grid").json()["items"]
    assert {g["code"] for g in below} == {"C1G1", "C1G2", "C2G1"}
    assert client.get("/api/v1/areas?area=nowhere").json()["count"] == 0


def test_areas_list_query_count_is_constant(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get("/api/v1/areas?page_size=200")


def test_organisations(client, world):
    items = client.get("/api/v1/organisations?area=C1").json()["items"]
    assert items == [
        {
            "id": world.property_company.id,
            "name": "测试物业公司",
            "short_name": "",
            "kind": "property_company",
            "areas": ["C1"],
        }
    ]
    assert client.get("/api/v1/organisations?kind=cppcc").json()["count"] == 0


def test_validation_errors_have_the_one_format(client, world):
    response = client.get("/api/v1/areas?kind=planet")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "有字段缺失或填写不正确。"
    assert "kind" in error["fields"]
    bad_page = client.get("/api/v1/areas?page=0").json()["error"]
    assert "page" in bad_page["fields"]


def test_errors_in_english_when_asked(client, world):
    response = client.get("/api/v1/areas?kind=planet", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "Some fields are missing or invalid."


def test_unauthenticated_and_not_found(client, world):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    missing = client.get("/api/v1/no-such-endpoint")
    assert missing.status_code == 404


def test_openapi_document_and_docs(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "Yishi API"
    assert "/api/v1/areas" in document["paths"]
    assert "/api/v1/organisations" in document["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    # Served from the platform itself: an intranet has no CDN.
    assert "cdn." not in docs.content.decode()


def test_pagination_is_bounded(client, world):
    huge = "1" + "0" * 30
    response = client.get(f"/api/v1/areas?page={huge}")
    assert response.status_code == 422
    assert "page" in response.json()["error"]["fields"]
    too_big = client.get("/api/v1/organisations?page_size=201")
    assert too_big.status_code == 422
    assert "page_size" in too_big.json()["error"]["fields"]
    assert client.get("/api/v1/areas?page_size=200").status_code == 200
    assert client.get("/api/v1/areas?page=1000000").json()["items"] == []


def test_out_of_range_ids_are_the_clients_mistake(client, world):
    client.force_login(world.staff)
    huge = "9" * 30
    page = client.get(f"/concerns/issues/{huge}/")
    assert page.status_code in (400, 404)
    api = client.get(f"/api/v1/issues/{huge}")
    assert api.status_code in (400, 404, 422)
    if api.status_code == 400:
        assert api.json()["error"]["code"] == "out_of_range"


@pytest.mark.django_db
def test_the_api_link_is_for_staff_not_for_residents(client, world):
    assert "/api/v1/docs" not in client.get("/").content.decode()
    client.force_login(world.staff)
    assert "/api/v1/docs" in client.get("/").content.decode()
