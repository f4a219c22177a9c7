"""The JSON API under /api/v1/: every app's router, one error format, the OpenAPI document."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from core import errors
from core.errors import ActionError, ErrorCode
from yishi.manifests import MANIFESTS

# Every error code the API may give: the kernel's and each app's (its manifest's `errors`).
CODES: dict[str, ErrorCode] = {
    **errors.CODES,
    **{code: entry for manifest in MANIFESTS for code, entry in manifest.errors.items()},
}


def error_schema(status: int | None = None) -> dict:
    """The one error shape; for a status, its `code` is an enum of the codes that status may
    carry, each explained in the description (a client branches on the code, never on the
    message)."""
    entries = sorted(
        (entry for entry in CODES.values() if status is None or status in entry.statuses),
        key=lambda entry: entry.code,
    )
    listing = "\n".join(f"- `{entry.code}`: {entry.description}" for entry in entries)
    return {
        "title": f"Error{status or ''}",
        "type": "object",
        "required": ["error"],
        "description": f"Codes{f' given with {status}' if status else ''}:\n\n{listing}",
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "fields"],
                "properties": {
                    "code": {
                        "type": "string",
                        "enum": [entry.code for entry in entries],
                        "description": "machine-readable and stable: branch on it",
                    },
                    "message": {"type": "string", "description": "for a person, in their language"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        "description": "messages by field name",
                    },
                },
            }
        },
    }


ERROR_DESCRIPTIONS = {
    "400": "The request cannot be carried out (the code says why)",
    "401": "Not logged in and no valid bearer token",
    "403": "You may see this but not change it",
    "404": "Not found, or outside your scope",
    "409": "Not possible in the object's current state",
    "413": "The body is larger than the server accepts",
    "422": "Some fields are missing or invalid",
    "429": "Too many requests from this client; wait the seconds in Retry-After",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}


class YishiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The generated document, plus the error answers every operation can give, so
        that the document describes what the server really does: inferred from the
        operation's shape, plus those it declares with core.errors.answers()."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = error_schema()
        for name, component in components.items():
            if "enum" in component:
                # An enum keeps its class's title ("Status"); its component name says whose.
                component["title"] = name
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                codes = ["400", "422"]
                if operation.get("security"):
                    codes += ["401", "403"]
                if "{" in path:
                    codes.append("404")
                if method in ("post", "put", "patch", "delete"):
                    codes.append("409")
                if "requestBody" in operation:  # RequestSizeLimitMiddleware
                    codes.append("413")
                codes += [str(code) for code in operation.pop("x-error-answers", [])]
                responses = operation.setdefault("responses", {})
                for code in sorted(set(codes)):
                    name = f"Error{code}"
                    components.setdefault(name, error_schema(int(code)))
                    ref = {"$ref": f"#/components/schemas/{name}"}
                    answer = {
                        "description": ERROR_DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ref}},
                    }
                    if code == "429":
                        answer["headers"] = RETRY_AFTER
                    responses.setdefault(code, answer)
        return schema


api = YishiAPI(
    title="Yishi API",
    version="1",
    description=(
        "The JSON API of Yishi (议事), a platform for community consultation. "
        "Errors always have the shape "
        '{"error": {"code": "...", "message": "...", "fields": {"field": ["..."]}}}. '
        "Lists take ?page= and ?page_size= (at most 200) and answer "
        '{"items": [...], "count": n}. Staff authenticate with the web session or '
        "`Authorization: Bearer <token>` (manage.py create_api_token)."
    ),
    urls_namespace="api",
    docs_url="/docs",
)


def error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict | None = None,
    headers: dict | None = None,
) -> HttpResponse:
    response = api.create_response(
        request,
        {"error": {"code": code, "message": message, "fields": fields or {}}},
        status=status,
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _field_name(loc: list) -> str:
    # ninja reports ("body", "payload", "phone"): keep what names the field for a person.
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "payload")]
    return ".".join(parts) or "__all__"


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        message = error.get("msg", "invalid")
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        fields.setdefault(_field_name(list(error.get("loc", []))), []).append(message)
    return error_response(
        request, 422, "validation_error", _("Some fields are missing or invalid."), fields
    )


@api.exception_handler(ActionError)
def on_action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    fields = {exc.field: [exc.message]} if exc.field else {}
    return error_response(request, exc.status, exc.code, exc.message, fields, headers)


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return error_response(
        request, 422, "validation_error", _("Some fields are missing or invalid."), fields
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", _("You may look at this but not change it."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request, 401, "unauthenticated", _("Log in, or send a valid bearer token.")
    )


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A 30-digit id or page reached SQL: the client's mistake, not the server's.
    return error_response(
        request, 400, "out_of_range", _("A number in the request is out of range.")
    )


@api.exception_handler(SuspiciousOperation)
def on_suspicious_body(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Django's own limits on a body (too many files or fields, too large once read): a client's
    # request to fix, never a 500.
    if isinstance(exc, RequestDataTooBig):
        return error_response(
            request, 413, "request_too_large", _("The request is larger than the server accepts.")
        )
    return error_response(request, 400, "malformed_request", _("The request could not be read."))


# ninja raises HttpError for a body it cannot parse (400) and a failed CSRF check (403).
HTTP_ERROR_CODES = {400: "malformed_request", 403: "csrf_failed"}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = HTTP_ERROR_CODES.get(exc.status_code, "malformed_request")
    return error_response(request, exc.status_code, code, str(exc))


for manifest in MANIFESTS:
    if manifest.router is not None:
        api.add_router("", manifest.router)
