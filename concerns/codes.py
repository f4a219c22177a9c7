"""Tracking codes (查询码): the resident's secret, and public ids: what everyone else sees.

A tracking code is the only credential a resident has. It is shown to that resident alone
(their SMS, their own tracking page, their own rating link): lists, Open311, staff pages and
ledgers name a concern by its `public_id` or its database id instead. Every surface that
takes a typed code goes through `normalise` and `lookup` here, so each reads "ab12 cd34" the
same way and every lookup counts against the same per-address limits (a miss weighs more).
"""

import re
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.errors import ActionError, RateLimited
from core.ratelimit import client_ip, hit, is_limited
from core.responses import too_many_requests

if TYPE_CHECKING:
    from concerns.models import Concern

# No 0/O, 1/I/L, so a code read over the phone cannot be misheard.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
PUBLIC_ID_BYTES = 8  # 16 lowercase hex digits: never the shape of a tracking code

# A code standing on its own (not inside a longer word or number), for masking logs.
_CODE_IN_TEXT = re.compile(rf"(?<![0-9A-Za-z])[{CODE_ALPHABET}]{{{CODE_LENGTH}}}(?![0-9A-Za-z])")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_public_id() -> str:
    return secrets.token_hex(PUBLIC_ID_BYTES)


def normalise(raw: str | None) -> str:
    """A typed code as stored: spaces, dashes and other separators out, upper case."""
    return re.sub(r"[^0-9A-Za-z]", "", raw or "").upper()


def normalise_public_id(raw: str | None) -> str:
    return (raw or "").strip().lower()


def mask(text: str) -> str:
    """`text` with every tracking code in it masked (first two characters kept), for logs
    and the back office: "ABCD2345" → "AB******"."""
    return _CODE_IN_TEXT.sub(lambda m: m.group(0)[:2] + "*" * (CODE_LENGTH - 2), text or "")


class CodeNotFound(ActionError):
    def __init__(self) -> None:
        super().__init__(
            _("No concern has this tracking code. Check it and try again."),
            code="unknown_code",
            status=404,
            field="tracking_code",
        )


def _too_many(wait: int) -> RateLimited:
    return RateLimited(
        _("Too many tracking code lookups from here. Please try again in %(m)d minutes.")
        % {"m": max(1, (wait + 59) // 60)},
        retry_after=wait,
    )


def throttle(request: HttpRequest) -> None:
    """Count one lookup by code from this client address; RateLimited once it has made too
    many, or guessed wrong too often, in the window."""
    ip = client_ip(request)
    window = settings.CODE_LOOKUP_WINDOW
    wait = is_limited(f"code-miss:{ip}", settings.CODE_MISSES_PER_IP, window)
    if not wait:
        wait = hit(f"code-lookup:{ip}", settings.CODE_LOOKUPS_PER_IP, window)
    if wait:
        raise _too_many(wait)


def missed(request: HttpRequest) -> None:
    """Count an unknown code against this address (guessing is what the limit is for)."""
    hit(f"code-miss:{client_ip(request)}", settings.CODE_MISSES_PER_IP, settings.CODE_LOOKUP_WINDOW)


def find(code: str) -> "Concern | None":
    """The concern behind a code, without counting (callers that count use `lookup`)."""
    from concerns.models import Concern

    code = normalise(code)
    if not code or len(code) > 12:
        return None
    return (
        Concern.objects.select_related("issue", "issue__category", "community")
        .filter(tracking_code=code)
        .first()
    )


def lookup(request: HttpRequest, raw: str) -> "Concern":
    """The concern behind a typed code, throttled per client address: RateLimited (429,
    Retry-After) when this address asked too often, CodeNotFound (404) for an unknown code."""
    throttle(request)
    concern = find(raw)
    if concern is None:
        missed(request)
        raise CodeNotFound
    return concern


def too_many_page(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    """The friendly 429 of a page looked up by code, with Retry-After."""
    note = _(
        "To keep residents' tracking codes safe, each connection may look codes up only a "
        "limited number of times. Check the code in your text message, then try again later."
    )
    return too_many_requests(request, exc.retry_after or 60, message=exc.message, note=note)
