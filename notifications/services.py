"""Delivering recorded events: one Delivery row per person and channel, then the senders.

`on_event_committed` listens to timeline.services.event_committed, which is sent only after the
state change's transaction has committed. Rows are created with a unique key (event, recipient,
channel) and each is claimed before it is sent, so nobody gets a message twice. What each
message says is notifications.messages.

With NOTIFICATIONS_DEFER (production) requests do none of this: each event waits in the
timeline's outbox, committed with the state change, and `manage.py send_notifications` plans
and sends (plan_waiting, send_pending).
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, Value, When, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.masking import mask_phone
from concerns.codes import mask as mask_codes
from concerns.verbs import CONCERN_RECEIVED
from notifications.audiences import Recipient, link_for, may_tell, recipients_for
from notifications.messages import compose_message, site_link
from notifications.models import Delivery, Preference
from notifications.sms import SmsError, SmsMessage, SmsUnsure, get_sender
from timeline.models import Event
from timeline.services import mark_dispatched, outbox
from wechat.sender import TemplateError, address_of
from wechat.sender import deliver as deliver_template

log = logging.getLogger("yishi.notifications")


def _email_modes(recipients: list[Recipient]) -> dict[int, str]:
    """Each staff recipient's email choice, in one query (none when no one has an account)."""
    ids = [p.user.pk for p in recipients if p.user is not None]
    if not ids:
        return {}
    return dict(Preference.objects.filter(user_id__in=ids).values_list("user_id", "email_mode"))


def plan_deliveries(event: Event) -> list[Delivery]:
    recipients, subject = recipients_for(event)
    modes = _email_modes(recipients)
    rows: list[Delivery] = []
    for person in recipients:
        url = link_for(subject, person)
        line, body, kind, params = compose_message(event, subject, person, url)
        common = {"event": event, "recipient_key": person.key, "subject": line, "url": url}
        if person.user is not None:
            rows.append(
                Delivery(channel=Delivery.Channel.IN_APP, user=person.user, body=body, **common)
            )
            mode = modes.get(person.user.pk, Preference.EmailMode.IMMEDIATE)
            if person.user.email and mode != Preference.EmailMode.OFF:
                status = (
                    Delivery.Status.DIGEST
                    if mode == Preference.EmailMode.DIGEST
                    else Delivery.Status.PENDING
                )
                rows.append(
                    Delivery(
                        channel=Delivery.Channel.EMAIL,
                        user=person.user,
                        address=person.user.email,
                        body=body,
                        status=status,
                        **common,
                    )
                )
            if person.phone:  # chose SMS (grid), or invited with a phone
                link = site_link(url)
                rows.append(
                    Delivery(
                        channel=Delivery.Channel.SMS,
                        user=person.user,
                        address=person.phone,
                        body=body if not link or link in body else f"{body} {link}",
                        kind=kind,
                        params=params,
                        **common,
                    )
                )
        elif person.follower is not None:
            rows += _follower_rows(event, person, body, common)
        elif person.phone:
            rows.append(
                Delivery(
                    channel=Delivery.Channel.SMS,
                    address=person.phone,
                    body=body,
                    kind=kind,
                    params=params,
                    **common,
                )
            )
    return rows


def _follower_rows(
    event: Event, person: Recipient, body: str, common: dict[str, Any]
) -> list[Delivery]:
    """A resident who wrote through a 公众号: a template message where the account sends
    them, else an SMS when they gave a phone. Not for the concern's receipt: the account's
    reply to their message carried the code and link already."""
    if event.verb == CONCERN_RECEIVED:
        return []
    follower = person.follower
    if follower.subscribed and follower.account.sends_templates:
        address = address_of(follower)
        return [Delivery(channel=Delivery.Channel.WECHAT, address=address, body=body, **common)]
    if person.phone:
        return [Delivery(channel=Delivery.Channel.SMS, address=person.phone, body=body, **common)]
    return []


def deliver_event(event: Event) -> int:
    """Create the event's deliveries (once) and send those waiting; returns how many sent.

    Cheap inside a request: no query at all for the many internal steps nobody is told of;
    otherwise the subject, one bulk insert, one claim (select + update) for every row, and
    then the senders. With the setting NOTIFICATIONS_DEFER = True requests do none of this:
    `manage.py send_notifications` (from cron, or a task queue) plans the events waiting in
    the timeline's outbox (plan_waiting) and sends them."""
    rows = plan_deliveries(event)
    if not rows:
        return 0
    # Insert and claim in one transaction: one commit (a disk flush) instead of two.
    with transaction.atomic():
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        claimed = _claim(Delivery.objects.filter(event=event, status=Delivery.Status.PENDING))
    return _send_all(claimed)


# Events older than this when the outbox is read are not told any more: after an outage of a
# day, a resident should not get yesterday's news, nor a later resident of the issue news of
# steps taken before they came.
OUTBOX_HORIZON = timedelta(hours=24)


def plan_waiting(*, batch: int = 200, now: datetime | None = None) -> int:
    """Plan the deliveries of every event waiting in the timeline's outbox, in batches, each
    batch in one transaction with the events marked dispatched; returns how many rows were
    planned. Deliveries are unique per event, person and channel, so an event told already
    (at once, without NOTIFICATIONS_DEFER) adds nothing."""
    horizon = (now or timezone.now()) - OUTBOX_HORIZON
    planned = 0
    while True:
        with transaction.atomic():
            events = outbox(batch)
            if not events:
                return planned
            told = [e for e in events if e.created_at >= horizon and may_tell(e)]
            prefetch_related_objects(told, "subject")  # one query per kind of subject
            rows = _plan_all(told)
            Delivery.objects.bulk_create(rows, ignore_conflicts=True)
            mark_dispatched(events)
            planned += len(rows)


def _plan_all(events: list[Event]) -> list[Delivery]:
    """plan_deliveries() of each event; should one fail, the others are planned each on its
    own (a savepoint each) and the failing one logged and left out."""
    try:
        with transaction.atomic():
            return [row for event in events for row in plan_deliveries(event)]
    except Exception:
        rows: list[Delivery] = []
        for event in events:
            try:
                with transaction.atomic():
                    rows += plan_deliveries(event)
            except Exception:
                log.exception("Could not plan event %s (%s)", event.pk, event.verb)
        return rows


# SMS and email refused by the gateway are tried again after these waits, then marked failed
# for staff to see (setting SMS_RETRY_MINUTES).
RETRY_MINUTES = (1, 5, 30, 120)
# A row claimed this long ago and still "sending" was left by a worker that died mid-send:
# the gateway may have taken it, so it is confirmed like a timeout, never sent again blindly.
STALE_CLAIM = timedelta(minutes=10)


def retry_delays() -> list[timedelta]:
    minutes = getattr(settings, "SMS_RETRY_MINUTES", RETRY_MINUTES)
    return [timedelta(minutes=float(m)) for m in minutes]


def _claim(waiting: QuerySet[Delivery], now: datetime | None = None) -> list[Delivery]:
    """Take the waiting rows (inside the caller's transaction): rows another worker holds are
    skipped, so nothing goes out twice. In-app rows are shown at once (sent); the others are
    marked "sending" until their gateway answers. The caller sends them once this commits."""
    now = now or timezone.now()
    rows = list(waiting.select_for_update(skip_locked=True))
    if rows:
        Delivery.objects.filter(
            pk__in=[r.pk for r in rows], status__in=[Delivery.Status.PENDING, Delivery.Status.RETRY]
        ).update(
            status=Case(
                When(channel=Delivery.Channel.IN_APP, then=Value(Delivery.Status.SENT)),
                default=Value(Delivery.Status.SENDING),
            ),
            sent_at=Case(
                When(channel=Delivery.Channel.IN_APP, then=Value(now)), default=F("sent_at")
            ),
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
        for row in rows:
            row.attempts += 1
            row.claimed_at = now
    return rows


def _claim_and_send(waiting: QuerySet[Delivery]) -> int:
    """Claim the waiting rows in one short transaction, commit the claim, then send each."""
    with transaction.atomic():
        rows = _claim(waiting)
    return _send_all(rows)


def sms_message(delivery: Delivery) -> SmsMessage:
    return SmsMessage(
        phone=delivery.address,
        text=delivery.body,
        kind=delivery.kind or "notice",
        params=dict(delivery.params or {}),
        # The same on every attempt: the gateway's key to find (or drop) a repeat.
        out_id=f"yishi-{delivery.pk}",
        first_try=delivery.claimed_at,
    )


def _send_all(rows: list[Delivery]) -> int:
    """Send claimed rows (in-app ones are shown already: the claim marked them sent); those
    the gateway took are marked sent, with its receipt. Returns how many went out."""
    receipts: dict[str, list[int]] = defaultdict(list)
    sent = 0
    for row in rows:
        if row.channel == Delivery.Channel.IN_APP:
            sent += 1
            continue
        receipt = _send(row)
        if receipt is not None:
            receipts[receipt].append(row.pk)
            sent += 1
    now = timezone.now()
    # One statement for all rows of a sender without receipts (mail, the log), one per
    # message of a gateway (each its own receipt, after its own network round trip anyway).
    for receipt, pks in receipts.items():
        Delivery.objects.filter(pk__in=pks).update(
            status=Delivery.Status.SENT, sent_at=now, next_attempt_at=None, gateway_id=receipt
        )
    return sent


def _send(delivery: Delivery) -> str | None:
    """Hand a claimed row to its sender: the gateway's receipt ("" if none) when it went out,
    None when it did not (marked to be retried, failed, or unsure; logged masked)."""
    try:
        if delivery.channel == Delivery.Channel.SMS:
            sender = get_sender()
            if not hasattr(sender, "send_message"):  # a plain send(phone, text) class
                sender.send(delivery.address, delivery.body)
                return ""
            return (sender.send_message(sms_message(delivery)) or "")[:64]
        if delivery.channel == Delivery.Channel.WECHAT:
            deliver_template(delivery)
            return ""
        if delivery.channel == Delivery.Channel.EMAIL:
            send_mail(
                delivery.subject,
                delivery.body + (f"\n\n{delivery.url}" if delivery.url else ""),
                settings.DEFAULT_FROM_EMAIL,
                [delivery.address],
            )
        return ""
    except SmsUnsure as exc:
        _failed(delivery, exc, unsure=True)
    except TemplateError as exc:
        # WeChat refused the template message (unfollowed, template withdrawn): final.
        reason = mask_codes(str(exc))[:300]
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, error=reason)
        log.warning("Delivery %s to %s failed: %s", delivery.pk, delivery.channel, reason)
    except (SmsError, OSError) as exc:
        _failed(delivery, exc)
    except Exception as exc:
        # A sender's bug: whether anything left is unknown, so it is confirmed, not resent.
        log.exception("Sender failed on delivery %s", delivery.pk)
        _failed(delivery, SmsUnsure(type(exc).__name__), unsure=True)
    return None


def _failed(delivery: Delivery, exc: Exception, *, unsure: bool = False) -> None:
    """Record a failed try: to be confirmed (unsure), tried again after the next wait, or
    failed for good once the waits are used up."""
    reason = mask_codes(str(exc))[:300]  # a gateway may echo the text back
    delays = retry_delays()
    now = timezone.now()
    if unsure:
        status, when = Delivery.Status.UNSURE, now + (delays[0] if delays else STALE_CLAIM)
    elif delivery.attempts <= len(delays):
        status, when = Delivery.Status.RETRY, now + delays[delivery.attempts - 1]
    else:
        status, when = Delivery.Status.FAILED, None
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, error=reason, next_attempt_at=when
    )
    delivery.status, delivery.next_attempt_at = status, when
    target = (
        mask_phone(delivery.address)
        if delivery.channel == Delivery.Channel.SMS
        else delivery.channel
    )
    log.warning("Delivery %s to %s: %s (%s)", delivery.pk, target, reason, status)


def confirm_unsure(now: datetime | None = None) -> int:
    """Rows whose gateway did not answer (or whose worker died mid-send): ask the gateway.
    Found: sent. Surely not there: sent again, with the same out_id. Cannot tell: left
    "unsure" for staff, never sent again blindly. Returns how many were found or sent."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True).filter(
                Q(status=Delivery.Status.UNSURE, next_attempt_at__lte=now)
                | Q(status=Delivery.Status.SENDING, claimed_at__lte=now - STALE_CLAIM)
            )
        )
        Delivery.objects.filter(pk__in=[r.pk for r in rows]).update(
            status=Delivery.Status.SENDING, next_attempt_at=None
        )
    sent = 0
    for row in rows:
        if row.channel != Delivery.Channel.SMS:
            # An email (or a crashed in-app claim) cannot be asked about: for staff to see.
            Delivery.objects.filter(pk=row.pk).update(status=Delivery.Status.UNSURE)
            continue
        sender = get_sender()
        found = sender.confirm(sms_message(row))
        if found:
            Delivery.objects.filter(pk=row.pk).update(
                status=Delivery.Status.SENT, sent_at=now, error=""
            )
            sent += 1
        elif found is False:
            Delivery.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
            row.attempts += 1
            sent += _send_all([row])
        else:
            Delivery.objects.filter(pk=row.pk).update(status=Delivery.Status.UNSURE)
            log.warning(
                "Delivery %s to %s: the gateway cannot tell whether it arrived; not sent again",
                row.pk,
                mask_phone(row.address),
            )
    return sent


def send_pending(
    *, retry_failed: bool = False, limit: int | None = None, now: datetime | None = None
) -> int:
    """Send deliveries waiting (deferred, left by a crash, or due to be tried again), in
    batches of 100, each claimed first; all of them, or the first `limit`. Rows whose gateway
    did not answer are confirmed first. `retry_failed`: failed rows are given one more try."""
    now = now or timezone.now()
    if retry_failed:
        Delivery.objects.filter(status=Delivery.Status.FAILED).update(
            status=Delivery.Status.RETRY, next_attempt_at=now
        )
    sent = confirm_unsure(now)
    due = Q(status=Delivery.Status.PENDING) | Q(
        status=Delivery.Status.RETRY, next_attempt_at__lte=now
    )
    left = limit
    seen: set[int] = set()
    while left is None or left > 0:
        ids = list(
            Delivery.objects.filter(due)
            .exclude(pk__in=seen)
            .order_by("id")
            .values_list("id", flat=True)[: 100 if left is None else min(left, 100)]
        )
        if not ids:
            break
        seen.update(ids)
        sent += _claim_and_send(Delivery.objects.filter(due, pk__in=ids).order_by("id"))
        if left is not None:
            left -= len(ids)
    return sent


def on_event_committed(sender: Any, event: Event, **kwargs: Any) -> None:
    if getattr(settings, "NOTIFICATIONS_DEFER", False):
        return  # it waits in the outbox for manage.py send_notifications
    # The state change has committed already: a failure here must not turn into an error page.
    # No transaction around it: each message's claim commits on its own, so a failure later on
    # never rolls back the record of a message already sent (it would go out twice).
    try:
        deliver_event(event)
    except Exception:
        log.exception("Could not deliver event %s (%s)", event.pk, event.verb)


def send_digests(now: datetime | None = None) -> int:
    """One email per person gathering the deliveries held for their digest; each row claimed
    inside a transaction (skip_locked), so two runs never send the same row."""
    now = now or timezone.now()
    sent = 0
    user_ids = (
        Delivery.objects.filter(status=Delivery.Status.DIGEST, channel=Delivery.Channel.EMAIL)
        .values_list("user_id", flat=True)
        .distinct()
    )
    for user_id in list(user_ids):
        with transaction.atomic():
            rows = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(
                    status=Delivery.Status.DIGEST, channel=Delivery.Channel.EMAIL, user_id=user_id
                )
                .order_by("created_at", "id")
            )
            if not rows:
                continue
            by_address: dict[str, list[Delivery]] = defaultdict(list)
            for row in rows:
                by_address[row.address].append(row)
            Delivery.objects.filter(pk__in=[r.pk for r in rows]).update(
                status=Delivery.Status.SENT, sent_at=now, attempts=F("attempts") + 1
            )
            for address, items in by_address.items():
                lines = [f"· {r.subject}\n  {r.body}" for r in items]
                send_mail(
                    _("Yishi daily digest: %(n)d updates") % {"n": len(items)},
                    "\n\n".join(lines),
                    settings.DEFAULT_FROM_EMAIL,
                    [address],
                )
                sent += 1
    return sent
