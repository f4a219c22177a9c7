"""XML and JSON output as GeoReport v2 writes them, and its error format.

JSON follows the spec's "Spark convention" mapping of the XML: a list of elements becomes a
JSON array, an empty value `null`, booleans `true`/`false`. XML is schemaless, without a
namespace, preceded by the declaration with encoding="utf-8".
"""

import json
from collections.abc import Iterable
from typing import Any, NamedTuple
from xml.etree import ElementTree

from django.http import HttpResponse

FORMATS = ("xml", "json")
CONTENT_TYPES = {
    "xml": "text/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
# The element name of one item in each list of the spec.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


class Problem(NamedTuple):
    """One error of an answer: a specific code (declared in open311/errors.py, or the kernel's
    or an app's when an action refused) and a description for a person."""

    code: str
    description: str


class Open311Error(Exception):
    """One or more errors to answer in the spec's format; nothing has been written."""

    def __init__(
        self, status: int, code: str, description: Any, *, headers: dict | None = None
    ) -> None:
        self.status = status
        self.problems = [Problem(code, str(description))]
        self.headers = headers or {}
        super().__init__(str(description))

    @classmethod
    def several(cls, status: int, problems: Iterable[Problem]) -> "Open311Error":
        problems = list(problems)
        error = cls(status, *problems[0])
        error.problems = problems
        return error


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ElementTree.Element, tag: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        child = ITEM_TAGS.get(tag, "item")
        for item in value:
            _append(element, child, item)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    element = ElementTree.Element(root)
    if isinstance(data, list):
        child = ITEM_TAGS[root]
        for item in data:
            _append(element, child, item)
    else:
        for key, value in data.items():
            _append(element, key, value)
    body = ElementTree.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def render(fmt: str, root: str, data: Any, *, status: int = 200) -> HttpResponse:
    """`root` names the XML root element (`services`, `service_requests`…); JSON has none."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    else:
        body = to_xml(root, data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(
    fmt: str, status: int, problems: Iterable[Problem], headers: dict | None = None
) -> HttpResponse:
    # The spec's <code> is free: a specific code tells a client what to do, the HTTP status
    # says the class of error.
    errors = [{"code": code, "description": str(d)} for code, d in problems]
    response = render(fmt if fmt in FORMATS else "xml", "errors", errors, status=status)
    for key, value in (headers or {}).items():
        response[key] = value
    return response
