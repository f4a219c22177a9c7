"""Rate limits on anonymous submits, shared by the resident's form and the JSON API.

Per client address: a fixed-window counter in the shared cache (core.ratelimit). Per phone
number: the concerns already registered from that number in the window, counted from the
concerns table itself (one indexed query instead of a second cache counter), so a retried or
refused submit does not use up a resident's allowance.
"""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core import sql
from core.errors import ActionError, RateLimited
from core.ratelimit import client_ip, hit


def limit_anonymous(request: HttpRequest, phone: str) -> None:
    """Raise RateLimited (429 with Retry-After) when this address or phone sent too many."""
    window = settings.CONCERN_SUBMIT_WINDOW
    wait = hit(f"concern-ip:{client_ip(request)}", settings.CONCERN_SUBMIT_PER_IP, window)
    if not wait and phone:
        wait = _phone_wait(phone, window, settings.CONCERN_SUBMIT_PER_PHONE)
    if wait:
        raise RateLimited(
            _("Too many concerns from here in a short time. Please try again in %(m)d minutes.")
            % {"m": max(1, wait // 60)},
            retry_after=wait,
        )


def _phone_wait(phone: str, window: int, limit: int) -> int:
    from concerns.intake.submit import normalise_phone

    try:
        number = normalise_phone(phone)
    except ActionError:
        return 0  # the submit itself refuses it, with the reason
    now = timezone.now()
    count, earliest = sql.one(
        "SELECT COUNT(*), MIN(created_at) FROM concerns_concern "
        "WHERE resident_key = %s AND created_at >= %s",
        [f"tel:{number}", now - timedelta(seconds=window)],
    ) or (0, None)
    earliest = sql.as_datetime(earliest)
    if count < limit or earliest is None:
        return 0
    frees_at = earliest + timedelta(seconds=window)
    return max(1, int((frees_at - now).total_seconds()))
