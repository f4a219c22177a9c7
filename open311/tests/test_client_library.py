"""The API driven over real HTTP by an independent Open311 client from PyPI: `georeport`
(a thin GeoReport v2 wrapper; it reads services and requests in JSON and XML, and has no
POST, so the request is created with `requests`, the HTTP library it is built on)."""

import pytest
import requests
from georeport import GeoReport

from open311.tests.conftest import YELLOW_WATER, request_form

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def one_or_many(items):
    # xmltodict reads one repeated element as a dict and several as a list.
    return [items] if isinstance(items, dict) else items


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_reads_what_a_partner_posted(live_server, partner, water, fmt):
    root = f"{live_server.url}/open311/v2"
    discovery = requests.get(f"{live_server.url}/open311/discovery.json", timeout=10).json()
    assert discovery["endpoints"][0]["url"] == root

    posted = requests.post(
        f"{root}/requests.json",
        data=request_form(partner, **YELLOW_WATER),
        timeout=10,
    )
    assert posted.status_code == 200
    assert posted.headers["Content-Type"] == "application/json; charset=utf-8"
    tracking_code = posted.json()[0]["service_request_id"]

    client = GeoReport(root, output_format=fmt)
    services = one_or_many(client.get_service_list())
    assert "water" in {s["service_code"] for s in services}
    definition = client.get_service_definition("water")
    assert definition["service_code"] == "water"
    listed = one_or_many(client.get_service_requests(status="open", service_code="water"))
    assert [r["service_request_id"] for r in listed] == [tracking_code]
    one = client.get_service_request(tracking_code)
    assert one["status"] == "open"
    assert one["service_name"] == "供水"


def test_georeport_client_sees_http_errors(live_server, db):
    client = GeoReport(f"{live_server.url}/open311/v2")
    with pytest.raises(requests.HTTPError) as error:
        client.get_service_definition("potholes")
    assert error.value.response.status_code == 404
    assert error.value.response.json()[0]["code"] == "unknown_service_code"
