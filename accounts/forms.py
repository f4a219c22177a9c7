from datetime import timedelta

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext_lazy as _

from core import ratelimit


class ThrottledAuthenticationForm(AuthenticationForm):
    """The staff login: failed logins counted per account and per client address, each with
    its own limit.

    A username that keeps failing, from any number of addresses, pauses only that username;
    an address that keeps failing, over any number of usernames, pauses only that address.
    Nobody else is affected: there is no global lockout. The address is `client_ip`, so behind
    a reverse proxy it is the resident's or staff member's own (YISHI_TRUSTED_PROXIES), and an
    address shared by a whole office gets a limit several times the per-account one.
    """

    throttle_messages = {
        "user": _(
            "Too many failed attempts for this account. Please try again after %(time)s "
            "(in about %(minutes)s minutes), or ask your administrator to reset your password."
        ),
        "address": _(
            "Too many failed attempts from your network address. Please try again after "
            "%(time)s (in about %(minutes)s minutes)."
        ),
    }

    def _limits(self) -> dict[str, tuple[str, int]]:
        username = (self.data.get("username") or "").strip().lower()
        address = ratelimit.client_ip(self.request) if self.request else "unknown"
        return {
            "user": (f"login-user:{username}", settings.LOGIN_FAILURE_LIMIT),
            "address": (f"login-ip:{address}", settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS),
        }

    def check_throttle(self) -> None:
        window = settings.LOGIN_LOCKOUT_SECONDS
        for which, (key, limit) in self._limits().items():
            wait = ratelimit.is_limited(key, limit, window)
            if wait:
                until = timezone.localtime() + timedelta(seconds=wait)
                raise ValidationError(
                    self.throttle_messages[which],
                    code="throttled",
                    params={"time": time_format(until, "H:i"), "minutes": (wait + 59) // 60},
                )

    def count_failure(self) -> None:
        for key, limit in self._limits().values():
            ratelimit.hit(key, limit, settings.LOGIN_LOCKOUT_SECONDS)

    def count_success(self) -> None:
        # The right password ends this account's run of typos; the address keeps its count.
        ratelimit.reset(self._limits()["user"][0], settings.LOGIN_LOCKOUT_SECONDS)

    def clean(self):
        self.check_throttle()
        try:
            cleaned = super().clean()
        except ValidationError:
            self.count_failure()
            raise
        self.count_success()
        return cleaned


class ThrottledAdminAuthenticationForm(ThrottledAuthenticationForm, AdminAuthenticationForm):
    """The admin's login page (/admin/login/), under the same counters as the staff one."""
