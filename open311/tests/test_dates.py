"""Every date the adapter writes is ISO 8601 with seconds and its offset
(2026-11-26T00:00:00+08:00), as GeoReport v2 and its validators require: the discovery
document's changesets, and the request dates, in JSON and in XML, in every answer."""

import re
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from open311.models import ServiceAttribute
from open311.tests.conftest import YELLOW_WATER, request_form

STRICT_ISO_8601 = re.compile(
    r"^(?P<date>\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))"
    r"T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-](0\d|1[0-4]):[0-5]\d)$"
)
DATE_FIELDS = ("changeset", "requested_datetime", "updated_datetime", "expected_datetime")
V2 = "/open311/v2"


def json_dates(data, found):
    if isinstance(data, list):
        for item in data:
            json_dates(item, found)
    elif isinstance(data, dict):
        for key, value in data.items():
            if key in DATE_FIELDS or key.endswith(("_datetime", "_date")):
                found.append((key, value))
            else:
                json_dates(value, found)
    return found


def xml_dates(content: bytes):
    root = ElementTree.fromstring(content)
    return [
        (element.tag, element.text)
        for element in root.iter()
        if element.tag in DATE_FIELDS or element.tag.endswith(("_datetime", "_date"))
    ]


def assert_strict(found):
    for name, value in found:
        if name == "expected_datetime" and not value:
            continue  # closed: no date expected, written empty or null
        assert isinstance(value, str) and STRICT_ISO_8601.match(value), (name, value)
        parsed = datetime.fromisoformat(value)
        assert parsed.utcoffset() is not None
        assert parsed.isoformat() == value  # nothing Python would write differently


@pytest.fixture
def posted(client, partner, water):
    response = client.post(f"{V2}/requests.json", request_form(partner, **YELLOW_WATER))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_date_of_every_answer_is_iso_8601_with_its_offset(client, posted, partner, fmt):
    request_id = posted.json()[0]["service_request_id"]
    answers = {
        "discovery": client.get(f"/open311/discovery.{fmt}"),
        "services": client.get(f"{V2}/services.{fmt}"),
        "definition": client.get(f"{V2}/services/water.{fmt}"),
        "requests": client.get(f"{V2}/requests.{fmt}", {"api_key": partner.key}),
        "request": client.get(f"{V2}/requests/{request_id}.{fmt}", {"api_key": partner.key}),
        "post": client.post(
            f"{V2}/requests.{fmt}",
            {
                "api_key": partner.key,
                "service_code": "water",
                "address_string": "一号社区",
                "description": "水管漏水，楼道积水",
                "phone": "13800138001",
                "attribute[colour]": "brown",
            },
        ),
    }
    names = {}
    for what, response in answers.items():
        assert response.status_code == 200, (what, response.content[:300])
        found = json_dates(response.json(), []) if fmt == "json" else xml_dates(response.content)
        assert_strict(found)
        names[what] = {name for name, _value in found}
    assert names["discovery"] == {"changeset"}
    for what in ("requests", "request"):
        assert {"requested_datetime", "updated_datetime", "expected_datetime"} <= names[what]


def test_the_discovery_changeset_is_written_to_the_letter(client, db, settings):
    settings.OPEN311_CHANGESET = "2026-11-26 00:00"  # as deployments wrote it before
    data = client.get("/open311/discovery.json").json()
    assert data["changeset"] == "2026-11-26T00:00:00+08:00"
    assert data["endpoints"][0]["changeset"] == "2026-11-26T00:00:00+08:00"
    xml = ElementTree.fromstring(client.get("/open311/discovery.xml").content)
    assert xml.findtext("changeset") == "2026-11-26T00:00:00+08:00"
    assert xml.findtext("endpoints/endpoint/changeset") == "2026-11-26T00:00:00+08:00"

    settings.OPEN311_CHANGESET = "2026-11-25T16:00:00Z"  # the same instant, told in UTC
    assert client.get("/open311/discovery.json").json()["changeset"] == (
        "2026-11-26T00:00:00+08:00"
    )


def test_a_changed_question_moves_the_changeset(client, water, settings):
    settings.OPEN311_CHANGESET = "2026-11-26"
    later = timezone.make_aware(datetime(2026, 12, 1, 9, 30, 15, 123456))
    ServiceAttribute.objects.update(updated_at=later - timedelta(days=1))
    ServiceAttribute.objects.filter(code="colour").update(updated_at=later)
    assert client.get("/open311/discovery.json").json()["changeset"] == (
        "2026-12-01T09:30:15+08:00"
    )
    ServiceAttribute.objects.update(updated_at=later - timedelta(days=30))
    assert client.get("/open311/discovery.json").json()["changeset"] == (
        "2026-11-26T00:00:00+08:00"
    )
