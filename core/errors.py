"""The error every action function raises when a request cannot be carried out.

HTML views show its message beside the field (or at the top of the form); the JSON API turns
it into the one error format: {"error": {"code", "message", "fields"}} with its status.
"""

from django.utils.functional import Promise


class ActionError(Exception):
    def __init__(
        self,
        message: str | Promise,
        *,
        code: str = "invalid",
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


class Conflict(ActionError):
    """The object is not in a state that allows this (409)."""

    def __init__(self, message: str | Promise, *, code: str = "conflict", **kwargs) -> None:
        super().__init__(message, code=code, status=409, **kwargs)


class RateLimited(ActionError):
    def __init__(self, message: str | Promise, *, retry_after: int) -> None:
        super().__init__(message, code="rate_limited", status=429, retry_after=retry_after)


def answers(*statuses: int) -> dict:
    """`openapi_extra` for error answers an operation gives beyond the ones yishi.api infers
    from its shape (auth, path parameters, method): `@router.post(..., openapi_extra=
    answers(429))`. yishi.api documents each with the error schema (429 with Retry-After)."""
    return {"x-error-answers": sorted(statuses)}


# The operations that count requests per client and answer 429 with Retry-After.
RATE_LIMITED = answers(429)
