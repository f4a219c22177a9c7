"""Every error a client can get carries a specific code, declared once with its meaning.

The source is walked with ast: each `ActionError(...)` / `Conflict(...)` names `code=` with a
string literal (or forwards a `code` parameter whose every caller passes one), the code is not a
generic one, it is declared (core.errors or an app's errors.py, listed by its manifest) by the
raising package or a lower layer, and under the status the raise gives. Every declared code is
used somewhere, and the OpenAPI document lists them all."""

import ast
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import PASSWORD
from core import errors
from yishi.api import CODES
from yishi.manifests import MANIFESTS
from yishi.tests.test_architecture import LEVEL, ROOT

ERROR_CLASSES = {"ActionError": 400, "Conflict": 409}
# The raises of the intake (concerns' submit_concern), being moved to concerns/intake/ on
# another branch: their codes are declared here and added to the raise at that merge.
PENDING: dict[tuple[str, str], str] = {}
# Where the codes are declared or given by name rather than raised: not counted as uses.
REGISTRIES = {"core/errors.py"} | {f"{m.name}/errors.py" for m in MANIFESTS}


def sources() -> list[Path]:
    packages = [*LEVEL]
    files = []
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            files.append(path)
    return files


def _name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal(node: ast.expr | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


@dataclass
class Raise:
    where: str  # path:line
    package: str
    code: object  # the literal, or None when missing or not a literal
    status: object  # the literal status, or None when it cannot be read


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _function(node: ast.AST, parents: dict) -> ast.FunctionDef | None:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node  # type: ignore[return-value]
    return None


def _argument(call: ast.Call, name: str, index: int | None) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if index is not None and index < len(call.args):
        return call.args[index]
    return None


def collect() -> tuple[list[Raise], list[str]]:
    """Every raise's code and status, and the raises whose code cannot be read."""
    raises: list[Raise] = []
    unreadable: list[str] = []
    # (module, function) → where its code parameter sits, the class's status, its status arg.
    forwarders: dict[tuple[str, str], tuple[int | None, int, ast.expr | None]] = {}
    called: set[tuple[str, str]] = set()
    parsed = []
    for path in sources():
        relative = path.relative_to(ROOT).as_posix()
        if relative == "core/errors.py":  # the classes themselves
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parsed.append((relative, tree, _parents(tree)))
    # First pass: functions that pass their own `code` parameter on (code=code).
    for relative, tree, parents in parsed:
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and _name(call) in ERROR_CLASSES):
                continue
            code = _argument(call, "code", None)
            function = _function(call, parents)
            if isinstance(code, ast.Name) and function is not None:
                params = [a.arg for a in function.args.posonlyargs + function.args.args]
                kwonly = [a.arg for a in function.args.kwonlyargs]
                if code.id in params or code.id in kwonly:
                    index = params.index(code.id) if code.id in params else None
                    default = ERROR_CLASSES[_name(call) or ""]
                    status = _argument(call, "status", None)
                    forwarders[(relative, function.name)] = (index, default, status)
    for relative, tree, parents in parsed:
        package = relative.split("/")[0]
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = _name(call)
            where = f"{relative}:{call.lineno}"
            if name in ERROR_CLASSES:
                code = _argument(call, "code", None)
                function = _function(call, parents)
                if (
                    isinstance(code, ast.Name)
                    and function
                    and (relative, function.name) in forwarders
                ):
                    continue  # checked at its callers
                if code is None and function and (relative, function.name) in PENDING:
                    continue
                given: object = _literal(_argument(call, "status", None)) or ERROR_CLASSES[name]
                if name == "Conflict":
                    given = 409
                if not isinstance(_literal(code), str):
                    unreadable.append(where)
                    continue
                raises.append(Raise(where, package, _literal(code), given))
            elif name == "error_response":  # the API's own answers: (request, status, code…)
                answered = _literal(_argument(call, "status", 1))
                named = _literal(_argument(call, "code", 2))
                if isinstance(answered, int) and isinstance(named, str):
                    raises.append(Raise(where, package, named, answered))
            elif (relative, name) in forwarders:
                called.add((relative, name or ""))
                index, default, status_node = forwarders[(relative, name or "")]
                code = _argument(call, "code", index)
                if not isinstance(_literal(code), str):
                    unreadable.append(where)
                    continue
                passed: object = _literal(status_node) if status_node is not None else default
                if isinstance(status_node, ast.Name):  # forwarded too: the caller's or 400
                    passed = _literal(_argument(call, status_node.id, None)) or default
                raises.append(Raise(where, package, _literal(code), passed))
    # A forwarder called from nowhere in its module would hide its callers' codes.
    unreadable += [
        f"{module}: {function} (callers elsewhere)"
        for module, function in forwarders.keys() - called
    ]
    return raises, unreadable


@pytest.fixture(scope="module")
def found() -> tuple[list[Raise], list[str]]:
    return collect()


def declaring_package() -> dict[str, str]:
    owners = dict.fromkeys(errors.CODES, "core")
    for manifest in MANIFESTS:
        for code in manifest.errors:
            owners[code] = manifest.name
    return owners


def test_the_walk_sees_the_raises(found):
    raises, _ = found
    # A walk that found nothing would pass every check below.
    assert len(raises) > 200
    assert {r.package for r in raises} >= {"concerns", "consultations", "accountability"}


def test_every_raise_names_a_literal_code(found):
    _, unreadable = found
    assert unreadable == []


def test_no_raise_uses_a_generic_code(found):
    raises, _ = found
    generic = [(r.where, r.code) for r in raises if r.code in errors.GENERIC]
    assert generic == []


def test_every_code_raised_is_declared_under_its_status(found):
    raises, _ = found
    undeclared = [(r.where, r.code) for r in raises if r.code not in CODES]
    assert undeclared == []
    wrong_status = [
        (r.where, r.code, r.status, CODES[r.code].statuses)
        for r in raises
        if r.status not in CODES[r.code].statuses
    ]
    assert wrong_status == []


def test_codes_come_from_the_raising_layer_or_below(found):
    raises, _ = found
    owners = declaring_package()
    above = [
        (r.where, r.code, owners[r.code])
        for r in raises
        if LEVEL[owners[r.code]] > LEVEL[r.package]
    ]
    assert above == []


def test_each_code_is_declared_once_and_well_formed():
    counts = Counter([code for m in MANIFESTS for code in m.errors] + [*errors.CODES])
    assert [code for code, n in counts.items() if n > 1] == []
    for code, entry in CODES.items():
        assert entry.code == code
        assert code.isascii() and code.replace("_", "").isalnum() and code == code.lower()
        assert code not in errors.GENERIC
        assert entry.description.strip(), code
        assert all(400 <= status < 500 for status in entry.statuses), code


def test_every_declared_code_is_given_somewhere(found):
    """A declared code nothing gives is a stale promise to clients (or a typo)."""
    used = set(PENDING.values())
    for path in sources():
        relative = path.relative_to(ROOT).as_posix()
        if relative in REGISTRIES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used |= {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
    used.add("rate_limited")  # RateLimited's own, in core/errors.py
    assert sorted(set(CODES) - used) == []


def test_the_openapi_document_lists_every_code_with_its_meaning(client):
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    listed: set[str] = set()
    for status in (400, 401, 403, 404, 409, 413, 422, 429):
        schema = schemas[f"Error{status}"]
        enum = schema["properties"]["error"]["properties"]["code"]["enum"]
        assert enum == sorted(enum)
        for code in enum:
            assert status in CODES[code].statuses
            assert f"`{code}`: {CODES[code].description}" in schema["description"]
        listed |= set(enum)
    assert listed == set(CODES)
    # The generic schema lists them all too.
    assert set(schemas["Error"]["properties"]["error"]["properties"]["code"]["enum"]) == set(CODES)


def test_operations_refer_to_the_schema_of_their_status(client):
    document = client.get("/api/v1/openapi.json").json()
    bodies = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if str(status)[0] == "4":
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": f"#/components/schemas/Error{status}"}, path
            if "requestBody" in operation:
                bodies += 1
                # RequestSizeLimitMiddleware answers before the view: any body may be refused.
                assert "413" in operation["responses"], (method, path)
    assert bodies > 20


# ---- real requests answer the codes the document promises

API = "/api/v1"


def _answer(document: dict, response, path: str, method: str = "post") -> str:
    """The response's code, checked against the document: the operation lists the status and
    the status's schema lists the code."""
    status = str(response.status_code)
    body = response.json()
    code = body["error"]["code"]
    assert status in document["paths"][API + path][method]["responses"], (path, status)
    enum = document["components"]["schemas"][f"Error{status}"]["properties"]["error"]
    assert code in enum["properties"]["code"]["enum"], (code, status)
    return code


def _post(client, url: str, data: dict | None = None):
    return client.post(API + url, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def document(client) -> dict:
    return client.get(f"{API}/openapi.json").json()


@pytest.fixture
def topic(world):
    from concerns.tests.conftest import make_issue
    from consultations import actions

    issue = make_issue(world.c1, "楼道堆放杂物", residents=3, grid=world.g1)
    return actions.create_topic(world.staff, title="楼道杂物清理", issues=[issue])


def test_support_answers_invalid_phone_then_already_supported(client, document, topic):
    path = "/topics/{topic_id}/support"
    url = f"/topics/{topic.pk}/support"
    assert _answer(document, _post(client, url, {"phone": "12345"}), path) == "invalid_phone"
    assert _post(client, url, {"phone": "13800001111"}).status_code == 200
    again = _post(client, url, {"phone": "138 0000 1111"})  # the same number, spelt otherwise
    assert again.status_code == 409
    assert _answer(document, again, path) == "already_supported"


def test_a_topic_action_in_the_wrong_state_answers_its_code(client, document, world, topic):
    from consultations import actions

    actions.shelve_topic(world.staff, topic, reason="已由物业处理")
    url = f"/topics/{topic.pk}/support"
    shelved = _post(client, url, {"phone": "13800001111"})
    assert shelved.status_code == 409
    assert _answer(document, shelved, "/topics/{topic_id}/support") == "topic_not_open"
    client.login(username=world.staff.username, password=PASSWORD)
    accepted = _post(client, f"/topics/{topic.pk}/accept")
    assert accepted.status_code == 409
    assert _answer(document, accepted, "/topics/{topic_id}/accept") == "topic_not_proposed"


def test_an_unreadable_body_answers_malformed_request(client, document, topic):
    response = client.post(
        f"{API}/topics/{topic.pk}/support", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert _answer(document, response, "/topics/{topic_id}/support") == "malformed_request"


def test_a_body_too_large_answers_the_documented_413(client, document, settings, topic):
    settings.REQUEST_MAX_BYTES = 1024
    response = _post(client, f"/topics/{topic.pk}/support", {"phone": "1" * 2000})
    assert response.status_code == 413
    assert _answer(document, response, "/topics/{topic_id}/support") == "request_too_large"
