"""Start-up checks of the SMS sender: a gateway chosen without its credentials, signature or
templates stops `runserver`, `migrate` and `send_notifications` with a message saying what
is missing, instead of failing message after message at night."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string

from notifications import sms


@register()
def sms_sender_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    path = sms.sender_path()
    try:
        import_string(path)
    except ImportError as exc:
        return [
            Error(
                f"YISHI_SMS_SENDER={settings.SMS_SENDER!r} is not a sender: {exc}",
                hint="Use log, aliyun, tencent, or the dotted path of a class.",
                id="notifications.E001",
            )
        ]
    required = sms.REQUIRED_SETTINGS.get(path)
    if required is None:
        return []  # the log sender, or a class of the project's own: nothing to configure
    missing = [
        Error(
            f"The SMS sender {settings.SMS_SENDER!r} needs {env} (setting {name}).",
            id="notifications.E002",
        )
        for name, env in required
        if not str(getattr(settings, name, "") or "").strip()
    ]
    return missing + _template_errors()


def _template_errors() -> list[Error]:
    """What is wrong with YISHI_SMS_TEMPLATES: not JSON, a kind without its template, an
    unknown kind, or a value a kind does not have."""
    try:
        table = sms.templates()
    except (ValueError, TypeError, AttributeError) as exc:
        raw = getattr(settings, "SMS_TEMPLATES", "")
        detail = exc if not isinstance(raw, str) else f"{exc} in {raw[:60]!r}"
        return [
            Error(
                f"YISHI_SMS_TEMPLATES is not valid JSON of templates: {detail}",
                hint='{"received": {"template": "SMS_123", "params": ["words", "code"]}}',
                id="notifications.E003",
            ),
        ]
    errors: list[Error] = []
    missing = [kind for kind in sms.KINDS if not table.get(kind, {}).get("template")]
    if missing:
        errors.append(
            Error(
                "YISHI_SMS_TEMPLATES has no template for: " + ", ".join(missing),
                hint="Each kind of message needs a template approved by the gateway.",
                id="notifications.E004",
            )
        )
    for kind, entry in table.items():
        known = sms.KINDS.get(kind)
        if known is None:
            errors.append(
                Error(f"YISHI_SMS_TEMPLATES: unknown kind {kind!r}", id="notifications.E005")
            )
            continue
        unknown = sorted(set(entry["params"].values()) - set(known))
        if unknown:
            errors.append(
                Error(
                    f"YISHI_SMS_TEMPLATES[{kind!r}] uses values it does not have: "
                    + ", ".join(unknown),
                    hint=f"{kind} has: {', '.join(known)}",
                    id="notifications.E005",
                )
            )
    return errors
