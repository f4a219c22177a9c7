"""The error every action function raises when a request cannot be carried out, and the codes
it may carry.

HTML views show its message beside the field (or at the top of the form); the JSON API turns
it into the one error format: {"error": {"code", "message", "fields"}} with its status.

A code says what went wrong for a program: clients branch on it, never on the (translated)
message. Every raise names a specific code, declared once with its meaning: the kernel's below,
each app's in its `errors.py` (listed by its manifest). The OpenAPI document lists them per
status, and `yishi/tests/test_error_codes.py` refuses a raise whose code is missing, generic or
undeclared.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


class ActionError(Exception):
    def __init__(
        self,
        message: str | Promise,
        *,
        code: str,
        status: int = 400,
        field: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.status = status
        self.field = field
        self.retry_after = retry_after

    def as_dict(self) -> dict:
        fields = {self.field: [self.message]} if self.field else {}
        return {"error": {"code": self.code, "message": self.message, "fields": fields}}

    def show_on(self, form: Any) -> None:
        """Put the message on the (Django) form that asked: beside its field when the form has
        that field, else at the top of the form."""
        form.add_error(self.field if self.field in form.fields else None, self.message)


class Conflict(ActionError):
    """The object is not in a state that allows this (409)."""

    def __init__(self, message: str | Promise, *, code: str, **kwargs) -> None:
        super().__init__(message, code=code, status=409, **kwargs)


class RateLimited(ActionError):
    def __init__(self, message: str | Promise, *, retry_after: int) -> None:
        super().__init__(message, code="rate_limited", status=429, retry_after=retry_after)


@dataclass(frozen=True)
class ErrorCode:
    code: str
    statuses: tuple[int, ...]
    description: str  # for a client's developer, in English: when the code is given


ErrorCodes = Mapping[str, ErrorCode]


def declare(by_status: Mapping[int, Mapping[str, str]]) -> dict[str, ErrorCode]:
    """An app's codes, written grouped by the status they come with: {409: {"topic_not_open":
    "the topic is not open for support"}}. A code may be listed under two statuses."""
    codes: dict[str, ErrorCode] = {}
    for status, entries in by_status.items():
        for code, description in entries.items():
            known = codes.get(code)
            statuses = (*known.statuses, status) if known else (status,)
            codes[code] = ErrorCode(code, statuses, known.description if known else description)
    return codes


# Codes of the kernel and of the API itself, given by any app's operations.
CODES = declare(
    {
        400: {
            "out_of_range": "a number in the path or query is too large for the database",
            "malformed_request": "the body cannot be parsed (not JSON, or not the content type "
            "sent)",
            "control_characters": "a text field holds control characters",
            "required": "a required text field is empty",
            "too_long": "a text field is longer than its limit",
            "invalid_phone": "not a mainland mobile number or a landline with its area code",
            "file_too_large": "a photo is larger than the per-photo limit",
            "not_an_image": "a file is not a JPEG, PNG or WebP picture",
            "image_too_large": "a picture has more pixels than accepted",
            "too_many_files": "more photos than one request may carry",
            "unknown_status": "a list's status filter names no status of that list",
        },
        401: {"unauthenticated": "no session and no valid bearer token"},
        403: {
            "forbidden": "the caller may see the object but not do this to it",
            "csrf_failed": "a session-authenticated change came without its CSRF token",
        },
        404: {"not_found": "the object does not exist or is outside the caller's scope"},
        413: {"request_too_large": "the body is larger than the server accepts"},
        422: {"validation_error": "fields are missing or of the wrong type (see `fields`)"},
        429: {"rate_limited": "too many requests from this client: wait Retry-After seconds"},
    }
)

# Codes that say nothing a client could act on: no raise may use them.
GENERIC = frozenset({"invalid", "conflict", "error", "bad_request", "http_error", "unknown"})


def answers(*statuses: int) -> dict:
    """`openapi_extra` for error answers an operation gives beyond the ones yishi.api infers
    from its shape (auth, path parameters, method): `@router.post(..., openapi_extra=
    answers(429))`. yishi.api documents each with the error schema (429 with Retry-After)."""
    return {"x-error-answers": sorted(statuses)}


# The operations that count requests per client and answer 429 with Retry-After.
RATE_LIMITED = answers(429)
