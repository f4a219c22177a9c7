"""Following a community by phone (关注社区): ask, confirm with the code sent by SMS, be told
of each new public topic, meeting notice and published result, stop with one tap.

- Asking sends a six-digit code to the phone (an SMS through the outbox, like every other:
  the `follow.requested` event plans it). Asks are limited per phone and per address (a
  stranger cannot flood someone's phone, nor one address many phones); whether a number
  already follows is never told to whoever types it.
- The code is kept only as a keyed hash, lives CODE_MINUTES, and allows MAX_ATTEMPTS tries;
  wrong codes also count per address.
- Each message carries a stop link with a signed token (no login, no counted id to guess);
  opening it stops at once, and the page offers to follow again in case of a slip.
"""

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import ratelimit
from core.errors import ActionError, RateLimited
from notifications.models import Subscription
from notifications.verbs import (
    FOLLOW_CONFIRMED,
    FOLLOW_REQUESTED,
    FOLLOW_RESUMED,
    FOLLOW_STOPPED,
)
from places.models import Area
from timeline import actors
from timeline.services import record

CODE_MINUTES = 10
MAX_ATTEMPTS = 5
# Codes sent to one phone, and asks from one address, per hour; wrong codes per address in
# ten minutes.
PER_PHONE = 3
PER_ADDRESS = 10
ASK_WINDOW = 3600
WRONG_PER_ADDRESS = 10
WRONG_WINDOW = 600
STOP_SALT = "notifications.follow.stop"

_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def mobile(raw: str) -> str:
    """A mainland mobile number (only mobiles take SMS); ActionError otherwise."""
    phone = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", raw or ""))
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
    if not _MOBILE.fullmatch(phone):
        raise ActionError(
            _("Enter a mainland mobile number: 11 digits, starting with 1."),
            code="invalid_phone",
            field="phone",
        )
    return phone


def _hash(subscription: Subscription, code: str) -> str:
    key = f"{settings.SECRET_KEY}:follow:{subscription.pk}".encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def _limit(key: str, limit: int, window: int, message: str) -> None:
    wait = ratelimit.hit(key, limit, window)
    if wait:
        raise RateLimited(message % {"m": max(1, (wait + 59) // 60)}, retry_after=wait)


def request_follow(community: Area, raw_phone: str, *, address: str) -> Subscription:
    """Send a confirmation code to the phone for following `community` (RateLimited when this
    phone or address asked too often). The same answer whether the number follows already or
    not: the code is only proof that whoever asks holds the phone."""
    if community.kind != Area.Kind.COMMUNITY:
        raise ActionError(_("Only a community can be followed."), status=404, code="not_found")
    phone = mobile(raw_phone)
    busy = _("Too many codes asked from here. Please try again in %(m)d minutes.")
    _limit(f"follow-ip:{address}", PER_ADDRESS, ASK_WINDOW, busy)
    _limit(f"follow-phone:{phone}", PER_PHONE, ASK_WINDOW, busy)
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        subscription, _created = Subscription.objects.select_for_update().get_or_create(
            community=community, phone=phone
        )
        subscription.code_hash = _hash(subscription, code)
        subscription.code_sent_at = timezone.now()
        subscription.code_attempts = 0
        subscription.save(update_fields=["code_hash", "code_sent_at", "code_attempts"])
        # The code travels in the event (internal) for the SMS planned from it.
        record(
            subscription,
            FOLLOW_REQUESTED,
            actor_label=actors.RESIDENT,
            public=False,
            data={"code": code},
        )
    return subscription


def confirm_follow(subscription: Subscription, code: str, *, address: str) -> Subscription:
    """Follow once the right code comes back in time; ActionError otherwise (and the try
    counts, per subscription and per address)."""
    key = f"follow-wrong:{address}"
    wait = ratelimit.is_limited(key, WRONG_PER_ADDRESS, WRONG_WINDOW)
    if wait:
        raise RateLimited(
            _("Too many wrong codes. Please try again in %(m)d minutes.")
            % {"m": max(1, (wait + 59) // 60)},
            retry_after=wait,
        )
    code = (code or "").strip()
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        fresh = subscription.code_sent_at and timezone.now() - subscription.code_sent_at < (
            timedelta(minutes=CODE_MINUTES)
        )
        if not (subscription.code_hash and fresh and subscription.code_attempts < MAX_ATTEMPTS):
            raise ActionError(
                _("This code has expired. Ask for a new one."),
                code="follow_code_expired",
                field="code",
            )
        right = code.isdigit() and hmac.compare_digest(
            subscription.code_hash, _hash(subscription, code)
        )
        if right:
            subscription.code_hash = ""
            subscription.confirmed_at = timezone.now()
            subscription.stopped_at = None
            subscription.save(update_fields=["code_hash", "confirmed_at", "stopped_at"])
            record(subscription, FOLLOW_CONFIRMED, actor_label=actors.RESIDENT, public=False)
        else:  # counted (committed) before the refusal
            subscription.code_attempts += 1
            subscription.save(update_fields=["code_attempts"])
    if not right:
        ratelimit.hit(key, WRONG_PER_ADDRESS, WRONG_WINDOW)
        raise ActionError(_("That code is not right."), code="follow_code_wrong", field="code")
    return subscription


def stop_token(subscription: Subscription) -> str:
    return signing.Signer(salt=STOP_SALT).sign(str(subscription.pk))


def stop_path(subscription: Subscription) -> str:
    return reverse("notifications:stop", args=[stop_token(subscription)])


def from_stop_token(token: str) -> Subscription | None:
    """The subscription a stop link names, or None for a forged or broken one."""
    try:
        pk = signing.Signer(salt=STOP_SALT).unsign(token or "")
    except signing.BadSignature:
        return None
    if not pk.isdigit():
        return None
    return Subscription.objects.select_related("community").filter(pk=int(pk)).first()


def stop_following(subscription: Subscription) -> Subscription:
    """Stop the messages (again: nothing changes)."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.stopped_at is None:
            subscription.stopped_at = timezone.now()
            subscription.save(update_fields=["stopped_at"])
            record(subscription, FOLLOW_STOPPED, actor_label=actors.RESIDENT, public=False)
    return subscription


def resume_following(subscription: Subscription) -> Subscription:
    """Follow again from the stop page (the link proved the phone once it was confirmed)."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.confirmed_at is not None and subscription.stopped_at is not None:
            subscription.stopped_at = None
            subscription.save(update_fields=["stopped_at"])
            record(subscription, FOLLOW_RESUMED, actor_label=actors.RESIDENT, public=False)
    return subscription


def followers_of(community_id: Any) -> list[Subscription]:
    return list(
        Subscription.objects.filter(
            community_id=community_id, confirmed_at__isnull=False, stopped_at__isnull=True
        )
    )
