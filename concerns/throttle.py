"""Rate limits on anonymous submits, shared by the resident's form and the JSON API."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from yishi.errors import RateLimited
from yishi.ratelimit import client_ip, hit


def limit_anonymous(request: HttpRequest, phone: str) -> None:
    """Anonymous submits per client address and per phone number (429 with Retry-After)."""
    window = getattr(settings, "CONCERN_SUBMIT_WINDOW", 3600)
    wait = hit(f"concern-ip:{client_ip(request)}", settings.CONCERN_SUBMIT_PER_IP, window)
    if phone and not wait:
        digits = "".join(ch for ch in phone if ch.isdigit())[-11:]
        wait = hit(f"concern-phone:{digits}", settings.CONCERN_SUBMIT_PER_PHONE, window)
    if wait:
        raise RateLimited(
            _("Too many concerns from here in a short time. Please try again in %(m)d minutes.")
            % {"m": max(1, wait // 60)},
            retry_after=wait,
        )
