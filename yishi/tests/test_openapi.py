"""The OpenAPI document of /api/v1/ says what the server does: one name per schema, the
models' own choices as enums, and the error answers each operation can give."""

import inspect
import json
import types

import pytest
from ninja.openapi.schema import OpenAPISchema

from accountability.models import ActionItem, Evaluation
from accounts.models import Organisation
from consultations.models import Meeting, Motion, Participant, Statement, Topic
from places.models import Area
from yishi.api import api

PREFIX = "/api/v1"


@pytest.fixture(scope="module")
def document_and_definitions():
    """The document, and every (name, definition) ninja merged into its components on the
    way: ninja keeps the last definition of a name, so a collision is only visible here."""
    seen: list[tuple[str, str]] = []
    original = OpenAPISchema.add_schema_definitions

    def recording(self, definitions: dict) -> None:
        seen.extend((name, json.dumps(d, sort_keys=True)) for name, d in definitions.items())
        original(self, definitions)

    OpenAPISchema.add_schema_definitions = recording  # type: ignore[method-assign]
    try:
        document = api.get_openapi_schema(path_prefix=PREFIX)
    finally:
        OpenAPISchema.add_schema_definitions = original  # type: ignore[method-assign]
    return document, seen


@pytest.fixture(scope="module")
def document(document_and_definitions):
    return document_and_definitions[0]


def test_no_two_different_schemas_share_a_name(document_and_definitions):
    _document, seen = document_and_definitions
    by_name: dict[str, set[str]] = {}
    for name, definition in seen:
        by_name.setdefault(name, set()).add(definition)
    clashes = {name: len(variants) for name, variants in by_name.items() if len(variants) > 1}
    assert clashes == {}
    assert len(seen) > 50  # the recorder saw the real schemas


def test_schema_names_are_meaningful(document):
    vague = {"Input", "Kind", "Status", "Source", "Outcome", "Method", "Form", "Channel"}
    assert vague & set(document["components"]["schemas"]) == set()


def test_enums_are_titled_by_their_name(document):
    enums = {k: v for k, v in document["components"]["schemas"].items() if "enum" in v}
    assert len(enums) >= 15
    assert {name: schema["title"] for name, schema in enums.items()} == {n: n for n in enums}


def _resolve(document: dict, schema: dict) -> dict:
    """The enum behind a property: through $ref, allOf and `X | None`."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _resolve(document, document["components"]["schemas"][name])
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []):
            resolved = _resolve(document, part)
            if "enum" in resolved:
                return resolved
    return schema


PROPERTY_CHOICES = [
    ("AreaOut", "kind", Area.Kind),
    ("OrganisationOut", "kind", Organisation.Kind),
    ("TopicOut", "status", Topic.Status),
    ("TopicOut", "source", Topic.Source),
    ("MeetingOut", "status", Meeting.Status),
    ("MeetingOut", "form", Meeting.Form),
    ("MeetingOut", "pass_rule", Meeting.PassRule),
    ("MeetingIn", "form", Meeting.Form),
    ("ParticipantOut", "party", Participant.Party),
    ("ParticipantOut", "reply", Participant.Reply),
    ("StatementOut", "kind", Statement.Kind),
    ("MotionOut", "status", Motion.Status),
    ("MotionOut", "outcome", Motion.Outcome),
    ("MotionOut", "method", Motion.Method),
    ("ItemOut", "status", ActionItem.Status),
    ("EvaluationIn", "rating", Evaluation.Rating),
]


@pytest.mark.parametrize(("schema", "field", "choices"), PROPERTY_CHOICES)
def test_enums_are_the_models_choices(document, schema, field, choices):
    prop = document["components"]["schemas"][schema]["properties"][field]
    assert _resolve(document, prop)["enum"] == list(choices.values)


QUERY_CHOICES = [
    ("/areas", "kind", Area.Kind),
    ("/organisations", "kind", Organisation.Kind),
    ("/topics", "status", Topic.Status),
    ("/meetings", "status", Meeting.Status),
    ("/meetings", "form", Meeting.Form),
]


@pytest.mark.parametrize(("path", "name", "choices"), QUERY_CHOICES)
def test_filters_offer_the_models_choices(document, path, name, choices):
    parameters = document["paths"][PREFIX + path]["get"]["parameters"]
    (param,) = [p for p in parameters if p["name"] == name]
    assert _resolve(document, param["schema"])["enum"] == list(choices.values)


# ---- Error answers ------------------------------------------------------------------------

# What a view, or a project function it calls, names when it gives an error answer: the
# exceptions that yishi.api turns into answers, and the statuses written as numbers
# (ActionError(..., status=403)).
ANSWER_NAMES = {
    "PermissionDenied": 403,
    "Http404": 404,
    "CodeNotFound": 404,
    "get_object_or_404": 404,
    "Conflict": 409,
    "RateLimited": 429,
    "hit": 429,
    "is_limited": 429,
    "limit_anonymous": 429,
}
ANSWER_STATUSES = {401, 403, 404, 409, 429}
PROJECT = (
    "accountability",
    "accounts",
    "concerns",
    "consultations",
    "insights",
    "notifications",
    "places",
    "timeline",
    "yishi",
)


def _names_and_numbers(code: types.CodeType) -> tuple[set[str], set[int]]:
    names, numbers = set(code.co_names), set()
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            inner_names, inner_numbers = _names_and_numbers(const)
            names |= inner_names
            numbers |= inner_numbers
        elif type(const) is int and const in ANSWER_STATUSES:
            numbers.add(const)
    return names, numbers


def _answers(func, seen: set | None = None) -> set[int]:
    """The error statuses `func` can answer with: its own, and those of the project
    functions it calls (followed through modules and helpers, not into classes)."""
    seen = set() if seen is None else seen
    func = inspect.unwrap(func)
    if func in seen or not isinstance(func, types.FunctionType):
        return set()
    seen.add(func)
    names, numbers = _names_and_numbers(func.__code__)
    found = numbers | {ANSWER_NAMES[name] for name in names if name in ANSWER_NAMES}
    for name in names:
        target = func.__globals__.get(name)
        candidates = [target]
        if isinstance(target, types.ModuleType):
            candidates = [getattr(target, other, None) for other in names]
        for candidate in candidates:
            module = getattr(candidate, "__module__", None) or ""
            if module.split(".")[0] in PROJECT:
                found |= _answers(candidate, seen)
    return found


def _operations():
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield PREFIX + path, method.lower(), operation


def test_the_answer_finder_finds_the_known_answers():
    found = {(path, method): _answers(op.view_func) for path, method, op in _operations()}
    assert {403, 404, 429} <= found[(PREFIX + "/concerns", "post")]
    assert 429 in found[(PREFIX + "/meetings/{meeting_id}/sign-in", "post")]
    assert 429 in found[(PREFIX + "/topics/{topic_id}/support", "post")]
    assert {404, 429} <= found[(PREFIX + "/concerns/{tracking_code}/matter", "get")]
    assert 403 in found[(PREFIX + "/meetings/{meeting_id}/my-statements", "post")]
    assert {403, 404, 409} <= found[(PREFIX + "/issues/{issue_id}/accept", "post")]
    assert found[(PREFIX + "/areas", "get")] == set()


def test_every_answer_an_operation_can_give_is_documented(document):
    undocumented = {}
    for path, method, operation in _operations():
        documented = {int(code) for code in document["paths"][path][method]["responses"]}
        missing = _answers(operation.view_func) - documented
        if missing:
            undocumented[f"{method.upper()} {path}"] = sorted(missing)
    assert undocumented == {}


def test_every_429_documents_retry_after(document):
    throttled = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answer = operation["responses"].get("429")
            if answer:
                throttled += 1
                assert "Retry-After" in answer["headers"], (method, path)
    assert throttled >= 8


def test_every_lookup_by_code_is_documented_as_rate_limited(document):
    lookups = [
        (path, method)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "{tracking_code}" in path
    ]
    assert len(lookups) >= 4
    for path, method in lookups:
        assert "429" in document["paths"][path][method]["responses"], (method, path)


def test_every_operation_documents_the_errors_its_shape_allows(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            label = f"{method.upper()} {path}"
            assert {"400", "422"} <= set(responses), label
            if "{" in path:  # a lookup: absent or outside the caller's scope
                assert "404" in responses, label
            if operation.get("security"):
                assert {"401", "403"} <= set(responses), label
            if method == "post":
                assert "409" in responses, label
            for code, answer in responses.items():
                if str(code)[0] in "45":
                    schema = {"$ref": f"#/components/schemas/Error{code}"}
                    assert answer["content"]["application/json"]["schema"] == schema, label
            assert "x-error-answers" not in operation, label


def test_the_served_document_is_the_same(client, document):
    served = client.get(PREFIX + "/openapi.json").json()
    assert served["paths"].keys() == document["paths"].keys()
    assert served["components"]["schemas"].keys() == document["components"]["schemas"].keys()
