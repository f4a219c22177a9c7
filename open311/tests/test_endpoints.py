"""Every GeoReport v2 endpoint, in XML and JSON, checked against the spec's structure."""

from datetime import timedelta

import pytest
from django.utils import timezone

from concerns.actions import resolve_issue
from concerns.intake.submit import submit_concern
from concerns.models import Category, Concern, Issue
from open311.models import ServiceRequest
from open311.tests import spec
from timeline.models import Event
from timeline.services import record

FORMATS = ["xml", "json"]
V2 = "/open311/v2"


def raise_concern(
    world,
    content="金城蓝湾二期的自来水发黄，烧开后有沉淀",
    phone="13800138000",
    category="water",
    **kwargs,
) -> Concern:
    return submit_concern(
        community=world.c1,
        content=content,
        channel=Concern.Channel.WEB,
        phone=phone,
        category=Category.objects.get(code=category) if category else None,
        **kwargs,
    )


def post(client, fmt, **data):
    return client.post(f"{V2}/requests.{fmt}", data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_lists_the_v2_endpoint_in_both_formats(client, db, fmt):
    response = client.get(f"/open311/discovery.{fmt}")
    if fmt == "json":
        data = spec.check_json(response, spec.DISCOVERY)
        endpoint = data["endpoints"][0]
        assert endpoint["url"] == "http://testserver/open311/v2"
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    else:
        element = spec.check_xml(response, "discovery")
        spec.check_xml_discovery(element)
        assert element.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2"


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_active_categories(client, water, fmt):
    Category.objects.filter(code="other").update(active=False)
    response = client.get(f"{V2}/services.{fmt}")
    if fmt == "json":
        data = spec.check_json(response, spec.SERVICES)
        by_code = {s["service_code"]: s for s in data}
    else:
        element = spec.check_xml(response, "services")
        by_code = {s.findtext("service_code"): {c.tag: c.text for c in s} for s in element}
    assert "other" not in by_code
    assert by_code["water"]["service_name"] == "供水"
    assert by_code["water"]["type"] == "realtime"
    # Only the category with extra fields says so.
    assert by_code["water"]["metadata"] in (True, "true")
    assert by_code["noise"]["metadata"] in (False, "false")
    assert by_code["water"]["keywords"].startswith("自来水, 水质, 发黄")


def test_services_list_takes_a_fixed_number_of_queries(client, water, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = client.get(f"{V2}/services.json")
    assert len(response.json()) == Category.objects.filter(active=True).count()


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_lists_the_questions(client, water, fmt):
    response = client.get(f"{V2}/services/water.{fmt}")
    if fmt == "json":
        data = spec.check_json(response, spec.SERVICE_DEFINITION)
        assert data["service_code"] == "water"
        colour = data["attributes"][0]
        assert (colour["code"], colour["datatype"], colour["required"]) == (
            "colour",
            "singlevaluelist",
            True,
        )
        assert colour["values"] == [
            {"key": "yellow", "name": "发黄"},
            {"key": "brown", "name": "发褐"},
        ]
        assert [a["order"] for a in data["attributes"]] == [1, 2, 3]
        assert "values" not in data["attributes"][1]
    else:
        element = spec.check_xml(response, "service_definition")
        spec.check_xml_definition(element)
        assert element.findtext("service_code") == "water"
        assert element.findtext("attributes/attribute/values/value/name") == "发黄"


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_without_questions_is_empty(client, db, fmt):
    response = client.get(f"{V2}/services/noise.{fmt}")
    if fmt == "json":
        assert spec.check_json(response, spec.SERVICE_DEFINITION)["attributes"] == []
    else:
        element = spec.check_xml(response, "service_definition")
        assert len(element.find("attributes")) == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_shows_status_agency_and_time_limit(client, world, fmt):
    concern = raise_concern(world)
    issue = concern.issue
    Issue.objects.filter(pk=issue.pk).update(escalated_to=world.property_company)
    record(issue, "issue.settled", actor_label="社区", note="已联系物业取水样送检", public=True)
    record(issue, "issue.grouping_confirmed", actor_label="社区", note="内部备注", public=False)
    response = client.get(f"{V2}/requests.{fmt}")
    if fmt == "json":
        [item] = spec.check_json(response, spec.SERVICE_REQUESTS)
    else:
        element = spec.check_xml(response, "service_requests")
        [request] = list(element)
        spec.check_xml_request(request)
        item = {c.tag: c.text for c in request}
    issue.refresh_from_db()
    assert item["service_request_id"] == concern.public_id
    assert item["status"] == "open"
    assert item["service_code"] == "water"
    assert item["agency_responsible"] == "测试物业公司"
    assert item["status_notes"].endswith("已联系物业取水样送检")
    assert item["expected_datetime"] == timezone.localtime(issue.resolve_due_at).isoformat(
        timespec="seconds"
    )
    # The resident's number never leaves in full.
    assert "13800138000" not in response.content.decode()


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_request_by_id_and_closed_status(client, world, fmt):
    concern = raise_concern(world)
    resolve_issue(concern.issue, actor=world.staff, note="管道和屋顶水箱已冲洗")
    response = client.get(f"{V2}/requests/{concern.public_id}.{fmt}")
    if fmt == "json":
        [item] = spec.check_json(response, spec.SERVICE_REQUESTS)
    else:
        [request] = spec.check_xml(response, "service_requests")
        spec.check_xml_request(request)
        item = {c.tag: c.text for c in request}
    assert item["status"] == "closed"
    assert item["expected_datetime"] is None
    assert "管道和屋顶水箱已冲洗" in item["status_notes"]
    # Without an escalation the community (its level's owner) is responsible.
    assert item["agency_responsible"] in ("一号社区", "一号社区第一网格")


def test_get_requests_filters_by_status_code_dates_and_ids(client, world):
    water = raise_concern(world)
    noise = raise_concern(
        world, content="楼下广场舞音响太吵，晚上十点还不停", phone="13900139000", category="noise"
    )
    old = raise_concern(
        world,
        content="三个月前的噪音问题",
        phone="13700137000",
        category="noise",
        received_at=timezone.now() - timedelta(days=120),
    )
    resolve_issue(noise.issue, actor=world.staff)

    def ids(**params):
        response = client.get(f"{V2}/requests.json", params)
        return {r["service_request_id"] for r in spec.check_json(response, spec.SERVICE_REQUESTS)}

    assert ids() == {water.public_id, noise.public_id}  # the last 90 days
    assert ids(status="open") == {water.public_id}
    assert ids(status="closed") == {noise.public_id}
    assert ids(status="open,closed") == {water.public_id, noise.public_id}
    assert ids(service_code="noise") == {noise.public_id}
    assert ids(service_code="water,noise") == {water.public_id, noise.public_id}
    start = (timezone.now() - timedelta(days=130)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - timedelta(days=100)).isoformat(timespec="seconds")
    assert ids(start_date=start, end_date=end) == {old.public_id}
    assert ids(start_date=start) == {old.public_id}
    # service_request_id overrides every other argument.
    assert ids(service_request_id=f"{old.public_id},{water.public_id}", status="closed") == {
        old.public_id,
        water.public_id,
    }


def test_get_requests_pages(client, world, django_assert_max_num_queries):
    for n in range(5):
        raise_concern(
            world, content=f"第{n}号楼电梯坏了", phone=f"1380013800{n}", category="property"
        )
    with django_assert_max_num_queries(4):
        first = client.get(f"{V2}/requests.json", {"page_size": 2}).json()
    second = client.get(f"{V2}/requests.json", {"page_size": 2, "page": 2}).json()
    last = client.get(f"{V2}/requests.json", {"page_size": 2, "page": 3}).json()
    assert (len(first), len(second), len(last)) == (2, 2, 1)
    seen = {r["service_request_id"] for r in first + second + last}
    assert len(seen) == 5
    assert client.get(f"{V2}/requests.json", {"page": 9}).json() == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_token_gives_the_request_id(client, world, partner, fmt):
    concern = raise_concern(world)
    ServiceRequest.objects.create(concern=concern, api_key=partner.api_key, token="abc123")
    response = client.get(f"{V2}/tokens/abc123.{fmt}")
    if fmt == "json":
        data = spec.check_json(response, spec.TOKEN_RESPONSE)
        assert data == [{"service_request_id": concern.public_id, "token": "abc123"}]
    else:
        [request] = spec.check_xml(response, "service_requests")
        assert request.findtext("service_request_id") == concern.public_id
        assert request.findtext("token") == "abc123"


def test_jurisdiction_id_is_optional_and_may_name_an_area(client, world, settings):
    inside = raise_concern(world)
    settings.OPEN311_JURISDICTION_ID = "yishi.example.cn"
    settings.OPEN311_JURISDICTIONS = {"ceshi.example.cn": "C2"}
    for value in ("", "yishi.example.cn"):
        response = client.get(f"{V2}/requests.json", {"jurisdiction_id": value})
        assert [r["service_request_id"] for r in response.json()] == [inside.public_id]
    assert client.get(f"{V2}/requests.json", {"jurisdiction_id": "C1"}).json()
    assert client.get(f"{V2}/requests.json", {"jurisdiction_id": "ceshi.example.cn"}).json() == []
    assert client.get(f"{V2}/services.json", {"jurisdiction_id": "C2"}).status_code == 200


def test_a_new_request_is_explained_by_its_own_public_entry(client, world):
    concern = raise_concern(world)
    [item] = client.get(f"{V2}/requests/{concern.public_id}.json").json()
    received = Event.objects.filter(verb="concern.received", subject_id=concern.pk).get()
    assert item["status_notes"].startswith(received.resident_label)


def test_the_residents_own_words_go_only_to_a_key_serving_the_area(client, world, partner):
    from accounts.models import Organisation
    from open311.models import ApiKey

    concern = raise_concern(
        world, content="我家在3号楼2单元501，自来水发黄，电话13800138000", address="3号楼2单元501"
    )
    url = f"{V2}/requests/{concern.public_id}.json"
    [public] = client.get(url).json()
    # Anyone reads the matter as the public tracking page shows it: its public title.
    assert public["description"] == concern.issue.title_for_public
    assert "3号楼" not in public["description"]
    assert "13800138000" not in public["description"]
    assert "501" not in public["address"]
    [partners] = client.get(url, {"api_key": partner.key}).json()
    assert "3号楼2单元501" in partners["address"]
    assert "自来水发黄" in partners["description"]
    assert "138****8000" in partners["description"]
    assert "501" not in partners["description"]
    other = Organisation.objects.create(name="别区热线", kind=Organisation.Kind.OTHER)
    _other_key, key = ApiKey.issue(name="other", organisation=other, areas=[world.c2])
    [outsiders] = client.get(url, {"api_key": key}).json()
    assert outsiders == public
    response = client.get(url, {"api_key": "o311_wrong"}, HTTP_ACCEPT_LANGUAGE="en")
    spec.errors_of(response, "json", 403)


def test_anyone_may_read_from_another_site(client, db):
    response = client.get(f"{V2}/services.json")
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("fmt", FORMATS)
def test_answers_are_utf8(client, world, fmt):
    concern = raise_concern(world, content="水是黄的")
    outcome = "水是黄的——《金城蓝湾》“二期”"
    record(concern.issue, "issue.settled", actor_label="社区", note=outcome)
    response = client.get(f"{V2}/requests.{fmt}")
    assert "水是黄的——《金城蓝湾》“二期”" in response.content.decode("utf-8")
