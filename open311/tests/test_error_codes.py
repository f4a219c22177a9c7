"""Open311 answers keep the spec's format, and each <error><code> is a specific code a partner
can branch on (open311/errors.py, or the refusing action's own), never the bare HTTP status."""

import ast
from pathlib import Path

import pytest

from core.errors import CODES as KERNEL_CODES
from open311.errors import CODES
from open311.tests import spec
from open311.tests.test_errors import good

V2 = "/open311/v2"


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize(
    ("fields", "status", "codes"),
    [
        ({"service_code": "potholes"}, 404, ["unknown_service_code"]),
        ({"service_code": None}, 400, ["service_code_required"]),
        ({"address_string": None}, 400, ["location_required"]),
        ({"address_string": None, "lat": "38.5"}, 400, ["lat_long_apart"]),
        ({"address_string": None, "lat": "95", "long": "106"}, 400, ["invalid_coordinate"]),
        ({"description": "吵" * 4001}, 400, ["too_long"]),
        ({"first_name": "张\x1b"}, 400, ["control_characters"]),
        ({"address_id": "C2"}, 400, ["place_not_served"]),
        ({"jurisdiction_id": "nowhere.example"}, 404, ["unknown_jurisdiction"]),
        ({"media_url": "javascript:alert(1)"}, 400, ["invalid_media_url"]),
        ({"phone": "12345"}, 400, ["invalid_phone"]),  # the kernel's code, kept as it is
        ({"api_key": None}, 403, ["api_key_missing"]),
        ({"api_key": "o311_wrong"}, 403, ["invalid_api_key"]),
        (
            {"address_string": None, "description": "x\x00", "media_url": "ftp://x"},
            400,
            ["location_required", "control_characters", "invalid_media_url"],
        ),
    ],
)
def test_each_refusal_names_its_code(client, partner, fields, status, codes, fmt):
    response = client.post(f"{V2}/requests.{fmt}", good(partner, **fields))
    spec.errors_of(response, fmt, status)  # the spec's format, each code declared
    if fmt == "json":
        assert spec.codes_of(response) == codes
    else:
        assert f"<code>{codes[0]}</code>" in response.content.decode()


def test_reading_refusals_name_their_codes(client, db):
    assert spec.codes_of(client.get(f"{V2}/requests/NOPE1234.json")) == ["unknown_service_request"]
    assert spec.codes_of(client.get(f"{V2}/tokens/nope.json")) == ["unknown_token"]
    assert spec.codes_of(client.get(f"{V2}/requests.json?page=0&page_size=x")) == [
        "invalid_page",
        "invalid_page_size",
    ]
    assert spec.codes_of(client.get(f"{V2}/requests.json?status=lost")) == ["invalid_status"]
    late = "start_date=2026-03-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"
    assert spec.codes_of(client.get(f"{V2}/requests.json?{late}")) == ["start_after_end"]
    assert spec.codes_of(client.delete(f"{V2}/services.json")) == ["method_not_allowed"]


def test_every_code_written_in_open311_is_declared():
    """Each Open311Error(status, "code", …) and Problem("code", …) names a declared code (the
    kernel's, such as too_long, keep their meaning), or passes on the refusing action's."""
    root = Path(__file__).resolve().parents[1]
    seen = []
    for path in sorted(root.glob("*.py")):
        if path.name == "formats.py":  # the classes themselves
            continue
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
                continue
            index = {"Open311Error": 1, "Problem": 0}.get(call.func.id)
            if index is None or len(call.args) <= index:
                continue
            code = call.args[index]
            where = f"{path.name}:{call.lineno}"
            if isinstance(code, ast.Attribute) and code.attr == "code":
                continue  # exc.code: an ActionError's, checked by yishi's test
            assert isinstance(code, ast.Constant), where
            assert code.value in CODES or code.value in KERNEL_CODES, where
            seen.append(code.value)
    assert len(seen) > 30
    assert set(CODES) <= set(seen)  # nothing declared that nothing gives
