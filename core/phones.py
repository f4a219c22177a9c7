"""One rule for phone numbers, used by every surface that takes one (concerns, meetings,
contact cards, WeChat, imports, SMS): a mainland mobile or a landline with its area code,
however it is spelled — spaces, dashes, brackets, full-width digits, +86 / 0086 / 86 in front.
Stored as digits only."""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from core.errors import ActionError

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_SEPARATORS = re.compile(r"[\s\-()（）.·]")


def digits_of(raw: str) -> str:
    """The number without separators or country code; not yet checked."""
    phone = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            return phone[len(prefix) :]
    if phone.startswith("86") and MOBILE.match(phone[2:]):
        return phone[2:]
    return phone


def normalise(raw: str, field: str = "phone") -> str:
    """The number as stored; ActionError (code invalid_phone) if it is not a mainland mobile
    or landline."""
    phone = digits_of(raw)
    if not (MOBILE.match(phone) or LANDLINE.match(phone)):
        raise ActionError(
            _(
                "Enter a mainland mobile number (11 digits, starting with 1) or a landline "
                "with its area code."
            ),
            code="invalid_phone",
            field=field,
        )
    return phone


def is_mobile(phone: str) -> bool:
    """Whether a stored number can receive text messages."""
    return bool(MOBILE.match(phone or ""))
