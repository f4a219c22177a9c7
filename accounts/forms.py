from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yishi import ratelimit


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses further attempts after repeated failures for a username or a client address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed attempts. Please wait %(minutes)s minutes and try again, "
            "or ask your administrator to reset your password."
        ),
    }

    def _keys(self) -> list[str]:
        username = (self.data.get("username") or "").strip().lower()
        ip = ratelimit.client_ip(self.request) if self.request else "unknown"
        return [f"login-user:{username}", f"login-ip:{ip}"]

    def clean(self):
        limit = settings.LOGIN_FAILURE_LIMIT
        window = settings.LOGIN_LOCKOUT_SECONDS
        waits = [ratelimit.is_limited(key, limit, window) for key in self._keys()]
        if any(waits):
            minutes = max(1, (max(waits) + 59) // 60)
            raise ValidationError(
                self.error_messages["throttled"], code="throttled", params={"minutes": minutes}
            )
        try:
            return super().clean()
        except ValidationError:
            for key in self._keys():
                ratelimit.hit(key, limit, window)
            raise
