"""GeoReport v2 written down from the spec (open311.org, GeoReport_v2 and Service_Discovery):
JSON Schemas for each JSON answer and the element structure of each XML answer. The tests
check every answer of the server against these, not against the server's own code."""

import json
import re
from typing import Any
from xml.etree import ElementTree

import jsonschema

W3C_WITH_ZONE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$"

_text = {"type": ["string", "null"]}
_w3c = {"type": "string", "pattern": W3C_WITH_ZONE}
_w3c_or_null = {"anyOf": [_w3c, {"type": "null"}]}
_id = {"type": ["string", "integer"]}

DISCOVERY: dict[str, Any] = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": {"type": "string"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"type": "string"},
                    "url": {"type": "string", "pattern": "^https?://"},
                    "changeset": {"type": "string"},
                    "type": {"enum": ["production", "test"]},
                    "formats": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}

SERVICES: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": [
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        ],
        "additionalProperties": False,
        "properties": {
            "service_code": _id,
            "service_name": {"type": "string"},
            "description": _text,
            "metadata": {"type": "boolean"},
            "type": {"enum": ["realtime", "batch", "blackbox"]},
            "keywords": _text,
            "group": _text,
        },
    },
}

SERVICE_DEFINITION: dict[str, Any] = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "additionalProperties": False,
    "properties": {
        "service_code": _id,
        "attributes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "variable",
                    "code",
                    "datatype",
                    "required",
                    "datatype_description",
                    "order",
                    "description",
                ],
                "additionalProperties": False,
                "properties": {
                    "variable": {"type": "boolean"},
                    "code": _id,
                    "datatype": {
                        "enum": [
                            "string",
                            "number",
                            "datetime",
                            "text",
                            "singlevaluelist",
                            "multivaluelist",
                        ]
                    },
                    "required": {"type": "boolean"},
                    "datatype_description": _text,
                    "order": {"type": "integer", "minimum": 1},
                    "description": {"type": "string"},
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "name"],
                            "additionalProperties": False,
                            "properties": {"key": _id, "name": {"type": "string"}},
                        },
                    },
                },
            },
        },
    },
}

POST_RESPONSE: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1,
    "items": {
        "type": "object",
        "additionalProperties": False,
        # A realtime service answers the id and never a token alongside it.
        "required": ["service_request_id"],
        "not": {"required": ["token"]},
        "properties": {
            "service_request_id": _id,
            "token": _id,
            "service_notice": _text,
            "account_id": {"type": ["string", "integer", "null"]},
        },
    },
}

TOKEN_RESPONSE: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id", "token"],
        "additionalProperties": False,
        "properties": {"service_request_id": _id, "token": _id},
    },
}

SERVICE_REQUESTS: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": [
            "service_request_id",
            "status",
            "service_name",
            "service_code",
            "description",
            "requested_datetime",
            "updated_datetime",
            "address",
        ],
        "additionalProperties": False,
        "properties": {
            "service_request_id": _id,
            "status": {"enum": ["open", "closed"]},
            "status_notes": _text,
            "service_name": _text,
            "service_code": {"type": ["string", "integer", "null"]},
            "description": {"type": ["string", "null"], "maxLength": 4000},
            "agency_responsible": _text,
            "service_notice": _text,
            "requested_datetime": _w3c,
            "updated_datetime": _w3c,
            "expected_datetime": _w3c_or_null,
            "address": _text,
            "address_id": {"type": ["string", "integer", "null"]},
            "zipcode": {"type": ["string", "integer", "null"]},
            "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
            "long": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
            "media_url": _text,
        },
    },
}

ERRORS: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "additionalProperties": False,
        "properties": {"code": {"type": ["integer", "string"]}, "description": {"type": "string"}},
    },
}

# XML: root element → (item element or None, allowed children of an item, required children).
REQUEST_FIELDS = set(SERVICE_REQUESTS["items"]["properties"])
XML_STRUCTURE = {
    "discovery": (None, set(DISCOVERY["properties"]), set(DISCOVERY["required"])),
    "services": (
        "service",
        set(SERVICES["items"]["properties"]),
        set(SERVICES["items"]["required"]),
    ),
    "service_definition": (
        None,
        set(SERVICE_DEFINITION["properties"]),
        set(SERVICE_DEFINITION["required"]),
    ),
    "service_requests": (
        "request",
        REQUEST_FIELDS | {"token", "account_id"},
        {"service_request_id"},
    ),
    "errors": ("error", {"code", "description"}, {"code", "description"}),
}


def check_json(response, schema: dict, status: int = 200):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content.decode("utf-8"))
    jsonschema.validate(data, schema)
    return data


def check_xml(response, root: str, status: int = 200) -> ElementTree.Element:
    """The answer is UTF-8 XML with the declaration, no namespace, the spec's elements."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = response.content
    assert re.match(rb'^<\?xml version="1.0" encoding="utf-8"\?>', body, re.IGNORECASE)
    element = ElementTree.fromstring(body)
    assert element.tag == root
    assert "xmlns" not in body.decode("utf-8")
    item_tag, allowed, required = XML_STRUCTURE[root]
    items = list(element) if item_tag else [element]
    for item in items:
        if item_tag:
            assert item.tag == item_tag
        children = {child.tag for child in item}
        assert children <= allowed, children - allowed
        assert required <= children, required - children
    return element


def check_xml_request(element: ElementTree.Element) -> None:
    """One <request> of GET requests: dates W3C with zone, status open or closed."""
    assert element.findtext("status") in ("open", "closed")
    for name in ("requested_datetime", "updated_datetime"):
        assert re.match(W3C_WITH_ZONE, element.findtext(name) or "")
    expected = element.findtext("expected_datetime")
    assert not expected or re.match(W3C_WITH_ZONE, expected)


def check_xml_definition(element: ElementTree.Element) -> None:
    attributes = element.find("attributes")
    assert attributes is not None
    for attribute in attributes:
        assert attribute.tag == "attribute"
        children = {c.tag for c in attribute}
        required = set(SERVICE_DEFINITION["properties"]["attributes"]["items"]["required"])
        assert required <= children
        assert attribute.findtext("variable") in ("true", "false")
        assert attribute.findtext("required") in ("true", "false")
        values = attribute.find("values")
        if values is not None:
            for value in values:
                assert value.tag == "value"
                assert {c.tag for c in value} == {"key", "name"}


def check_xml_discovery(element: ElementTree.Element) -> None:
    endpoints = element.find("endpoints")
    assert endpoints is not None and len(endpoints)
    for endpoint in endpoints:
        assert endpoint.tag == "endpoint"
        assert {c.tag for c in endpoint} == {"specification", "url", "changeset", "type", "formats"}
        assert [f.tag for f in endpoint.find("formats")] == ["format", "format"]


def errors_of(response, fmt: str, status: int) -> list[str]:
    """The descriptions of a spec-format error answer, checked in either format."""
    if fmt == "json":
        data = check_json(response, ERRORS, status)
        codes = [item["code"] for item in data]
        descriptions = [item["description"] for item in data]
    else:
        element = check_xml(response, "errors", status)
        assert len(element)
        codes = [e.findtext("code") or "" for e in element]
        descriptions = [e.findtext("description") or "" for e in element]
    for code in codes:
        assert status in declared_statuses(code), (code, status)
    return descriptions


def codes_of(response) -> list[str]:
    """The codes of a JSON error answer, each a specific one declared for its status."""
    data = json.loads(response.content.decode("utf-8"))
    for item in data:
        assert response.status_code in declared_statuses(item["code"]), item
    return [item["code"] for item in data]


def declared_statuses(code: str) -> tuple[int, ...]:
    """Open311's own codes, or those of the action that refused (kept as they are)."""
    from open311.errors import CODES as OPEN311_CODES
    from yishi.api import CODES

    entry = OPEN311_CODES.get(code) or CODES.get(code)
    assert entry is not None, f"{code!r} is not a declared error code"
    return entry.statuses
