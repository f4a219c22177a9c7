"""Sending text messages (短信) to residents.

The sender is chosen by the setting SMS_SENDER (env YISHI_SMS_SENDER), a dotted path to a
class with a `send(phone, text)` method. Development uses `LogSender`, which writes the message
to the "yishi.sms" log with the number masked.

To add a real gateway (阿里云短信, 腾讯云短信, an operator's SMS platform on the government
intranet…), write a class here or in your own package:

    class GatewaySender(SmsSender):
        def send(self, phone: str, text: str) -> None:
            # call the gateway; raise SmsError(reason) when it refuses the message
            ...

and set YISHI_SMS_SENDER=yourpackage.sms.GatewaySender. Read the gateway's credentials from the
environment in __init__, never from code. A sender must never log the number unmasked, nor
a tracking code (the resident's secret): log `concerns.codes.mask(text)`, never `text`.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from accounts.masking import mask_phone
from concerns.codes import mask as mask_codes

log = logging.getLogger("yishi.sms")


class SmsError(Exception):
    """The gateway refused or could not take the message."""


class SmsSender:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LogSender(SmsSender):
    """Development: the message goes to the log (number and tracking codes masked), nowhere
    else."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", mask_phone(phone), mask_codes(text))


class MemorySender(SmsSender):
    """Tests: keeps what would have been sent in `MemorySender.outbox`."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        MemorySender.outbox.append((phone, text))


def get_sender() -> SmsSender:
    return import_string(settings.SMS_SENDER)()
