"""Authentication for the JSON API: the web session (with CSRF) or a staff bearer token."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Router
from ninja.security import APIKeyCookie, HttpBearer
from ninja.security.session import SessionAuth

from accounts.models import ApiToken
from core.errors import answers


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class StaffSessionAuth(SessionAuth):
    """The logged-in web session; unsafe methods need the CSRF token as usual."""


# Endpoints for staff accept either.
staff_auth: list[APIKeyCookie | HttpBearer] = [TokenAuth(), StaffSessionAuth()]


def optional_user(request: HttpRequest) -> Any:
    """The staff user behind a request if it carries a valid token or session, else anonymous.

    For endpoints open to residents that also serve staff apps (submitting a concern)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = ApiToken.authenticate(header[7:].strip())
        if user is not None:
            request.user = user
            return user
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return AnonymousUser()  # a resident's phone: no session to load
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return AnonymousUser()


def staff_get(router: Router, path: str, out: Any, summary: str, *errors: int) -> Callable:
    """`@router.get` for a staff endpoint: token or session, with the error answers it adds."""
    return router.get(path, response=out, auth=staff_auth, summary=summary, **_extra(errors))


def staff_post(
    router: Router, path: str, out: Any, summary: str, *errors: int, created: bool = False
) -> Callable:
    """`@router.post` for a staff endpoint; `created` answers 201 with `out`."""
    response = {201: out} if created else out
    return router.post(path, response=response, auth=staff_auth, summary=summary, **_extra(errors))


def _extra(errors: tuple[int, ...]) -> dict[str, Any]:
    return {"openapi_extra": answers(*errors)} if errors else {}
