"""The one rule for free text that residents and staff write.

Text is plain text: any character a person can type is accepted and kept as written ("<某市征地
补偿安置办法>" is a title, "<script>" is just words); templates escape it wherever it is shown.
Refused are only the characters no one types: NUL (which PostgreSQL refuses), the other C0 and
C1 control characters except newline and tab, DEL, and lone surrogates (which UTF-8 cannot
store). Line endings are kept as "\\n" whatever the client sent: CR LF, a lone CR, and the line
breaks text pasted from a word processor or a web page carries (vertical tab, form feed, NEL,
the Unicode line and paragraph separators), so that a post copied from elsewhere is not refused.
"""

import re
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core.errors import ActionError

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_END = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")


def normalised(value: str | None) -> str:
    """The text with its line breaks as "\\n" and outer blanks trimmed, unchecked: for
    comparing what a client sends again with what was stored."""
    return _LINE_END.sub("\n", value or "").strip()


def plain_text(
    value: str | None,
    field: str,
    *,
    limit: int | None = None,
    required: bool | str | Promise = False,
) -> str:
    """`value` with its line breaks (see above) as "\\n" and outer blanks trimmed; ActionError
    with code "control_characters", "required" or "too_long" beside `field`. `required` may be the
    message to show when the text is empty."""
    text = _LINE_END.sub("\n", value or "")
    # Checked before trimming: str.strip() would silently drop some controls at the ends.
    if CONTROL_CHARACTERS.search(text):
        raise ActionError(
            _("Remove the control characters from this text."),
            code="control_characters",
            field=field,
        )
    text = text.strip()
    if required and not text:
        message = required if not isinstance(required, bool) else _("This field is required.")
        raise ActionError(message, code="required", field=field)
    if limit is not None and len(text) > limit:
        raise ActionError(
            _("At most %(limit)d characters, please (this has %(count)d).")
            % {"limit": limit, "count": len(text)},
            code="too_long",
            field=field,
        )
    return text


class PlainTextField(forms.CharField):
    """A form field under the same rule, so that a form answers as the API does: no silent
    trimming of control characters at the ends, no other message for NUL or for length."""

    def __init__(self, *, max_length: int | None = None, **kwargs: Any) -> None:
        super().__init__(max_length=max_length, strip=False, **kwargs)
        self.limit = max_length
        self.validators = []  # NUL and length are the rule's, with its messages

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        try:
            text = plain_text(text, "", limit=self.limit)
        except ActionError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        if self.required and not text:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return text
