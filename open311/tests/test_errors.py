"""Every bad input answers the spec's error format (400, 403 or 404), never HTML, never a
500, and writes nothing."""

import json

import pytest
from django.utils import timezone

from concerns.models import Concern, Issue
from open311.models import ServiceRequest
from open311.tests import spec
from open311.tests.conftest import request_form
from timeline.models import Event

V2 = "/open311/v2"
FORMATS = ["xml", "json"]


good = request_form


def assert_nothing_written():
    assert not Concern.objects.exists()
    assert not Issue.objects.exists()
    assert not ServiceRequest.objects.exists()
    assert not Event.objects.filter(verb__startswith="concern.").exists()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"service_code": "potholes"}, 404, "service_code potholes"),
        ({"service_code": None}, 400, "service_code is required"),
        ({"address_string": None}, 400, "location is required"),
        ({"address_string": None, "lat": "38.5"}, 400, "lat and long"),
        ({"address_string": None, "lat": "north", "long": "106"}, 400, "lat must be"),
        ({"address_string": None, "lat": "95", "long": "106"}, 400, "lat must be"),
        ({"description": "吵" * 4001}, 400, "4000"),
        ({"description": "太吵了\x00"}, 400, "control characters"),
        ({"description": "太吵了\x07"}, 400, "control characters"),
        ({"first_name": "张\x1b"}, 400, "control characters"),
        ({"address_id": "D2"}, 400, "address_id D2"),
        ({"address_id": "C2"}, 400, "address_id C2"),
        ({"address_string": "二号社区"}, 400, "address_string"),
        ({"jurisdiction_id": "nowhere.example"}, 404, "jurisdiction_id"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"phone": "12345"}, 400, "mobile"),
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "o311_wrong"}, 403, "api_key"),
    ],
)
def test_bad_post_is_refused_in_the_spec_format(
    client, partner, settings, fields, status, words, fmt
):
    settings.LANGUAGE_CODE = "en"
    response = client.post(
        f"{V2}/requests.{fmt}", good(partner, **fields), HTTP_ACCEPT_LANGUAGE="en"
    )
    descriptions = spec.errors_of(response, fmt, status)
    assert any(words.lower() in d.lower() for d in descriptions), descriptions
    assert_nothing_written()


def test_several_problems_are_reported_together(client, partner):
    response = client.post(
        f"{V2}/requests.json",
        good(partner, address_string=None, description="x\x00", media_url="ftp://x"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    descriptions = spec.errors_of(response, "json", 400)
    assert len(descriptions) == 3


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ({}, "attribute[colour] is required"),
        ({"attribute[colour]": "green"}, "must be one of"),
        ({"attribute[colour]": ["yellow", "brown"]}, "takes one value"),
        ({"attribute[colour]": "yellow", "attribute[since]": "last week"}, "W3C"),
        (
            {"attribute[colour]": "yellow", "attribute[taps][]": ["kitchen", "roof"]},
            "must be one of",
        ),
    ],
)
def test_attributes_are_checked_against_the_definition(client, partner, water, answers, words):
    response = client.post(
        f"{V2}/requests.json",
        good(partner, service_code="water", **answers),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    descriptions = spec.errors_of(response, "json", 400)
    assert any(words in d for d in descriptions), descriptions
    assert_nothing_written()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_body_that_is_not_form_encoded_is_refused(client, partner, fmt):
    response = client.post(
        f"{V2}/requests.{fmt}",
        json.dumps(good(partner)),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    [description] = spec.errors_of(response, fmt, 400)
    assert "form-encoded" in description
    assert_nothing_written()


def test_a_revoked_key_is_refused(client, partner):
    partner.api_key.revoked_at = timezone.now()
    partner.api_key.save()
    response = client.post(f"{V2}/requests.xml", good(partner))
    spec.errors_of(response, "xml", 403)
    assert_nothing_written()


def test_a_key_may_not_report_outside_its_areas(client, partner):
    response = client.post(f"{V2}/requests.json", good(partner, jurisdiction_id="C2"))
    spec.errors_of(response, "json", 403)
    assert_nothing_written()


def test_requests_per_key_are_rate_limited(client, partner, settings):
    settings.OPEN311_RATE_LIMIT = 2
    for n in range(2):
        data = good(partner, phone=f"1380013800{n}")
        assert client.post(f"{V2}/requests.json", data).status_code == 200
    response = client.post(f"{V2}/requests.json", good(partner, phone="13800138009"))
    spec.errors_of(response, "json", 429)
    assert int(response["Retry-After"]) > 0
    assert Concern.objects.count() == 2


def test_guessing_keys_is_slowed_down(client, partner):
    for n in range(20):
        response = client.post(f"{V2}/requests.json", good(partner, api_key=f"o311_guess{n}"))
        assert response.status_code == 403
    response = client.post(f"{V2}/requests.json", good(partner, api_key="o311_guess21"))
    spec.errors_of(response, "json", 429)
    assert int(response["Retry-After"]) > 0
    assert_nothing_written()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"start_date": "2026-11-01 08:00"}, "W3C"),
        ({"start_date": "2026/11/01"}, "W3C"),
        ({"end_date": "2026-11-01T08:00:00"}, "W3C"),  # no time zone
        ({"end_date": "2026-13-01T08:00:00Z"}, "W3C"),
        ({"start_date": "yesterday"}, "W3C"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
        ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"}, "before"),
        ({"page_size": "201"}, "at most 200"),
        ({"page_size": "0"}, "page_size"),
        ({"page": "first"}, "page"),
        ({"status": "pending"}, "status"),
        ({"service_code": "potholes"}, "potholes"),
    ],
)
def test_bad_queries_are_refused(client, db, params, words, fmt):
    response = client.get(f"{V2}/requests.{fmt}", params, HTTP_ACCEPT_LANGUAGE="en")
    descriptions = spec.errors_of(response, fmt, 400)
    assert any(words in d for d in descriptions), descriptions


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "path",
    [
        "/services/potholes",
        "/requests/NOSUCH99",
        "/tokens/nosuchtoken",
        "/nothing",
        "/services",  # without a format
    ],
)
def test_unknown_things_are_404_in_the_spec_format(client, db, path, fmt):
    response = client.get(f"{V2}{path}.{fmt}" if path != "/services" else f"{V2}/services")
    spec.errors_of(response, fmt if path != "/services" else "xml", 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_jurisdiction_is_404(client, db, fmt):
    response = client.get(f"{V2}/services.{fmt}", {"jurisdiction_id": "nowhere.example"})
    spec.errors_of(response, fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_wrong_method_is_a_spec_error(client, db, fmt):
    response = client.post(f"{V2}/services.{fmt}", {})
    spec.errors_of(response, fmt, 400)
    assert response["Allow"] == "GET, HEAD"


def test_an_unexpected_failure_is_a_spec_400_not_a_500(client, db, monkeypatch):
    from open311 import services

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "services", broken)
    response = client.get(f"{V2}/services.json")
    [description] = spec.errors_of(response, "json", 400)
    assert "database" not in description


def test_errors_are_translated(client, db):
    response = client.get(f"{V2}/requests/NOSUCH99.json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    [description] = spec.errors_of(response, "json", 404)
    assert "NOSUCH99" in description
    assert "未找到" in description or "没有" in description
