"""Reminders about deadlines, claimed once each.

`send_reminders` (a management command, safe to run from cron every minute, even twice at
once) calls `claim_due_reminders()`. A reminder is a row with a unique key (item, kind,
deadline): whoever inserts it first sends it, by recording a timeline event that notifications
deliver to the owner and the listing community after commit. Nobody sends it twice.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.models import ActionItem, Reminder, today
from accountability.verbs import ACTION_ITEM_DUE_SOON, ACTION_ITEM_OVERDUE
from timeline.actors import SYSTEM
from timeline.services import record

# How many days before the deadline the owner is told it is approaching.
DUE_SOON_DAYS = 3
REMINDER_VERBS: dict[str, str] = {
    Reminder.Kind.DUE_SOON: ACTION_ITEM_DUE_SOON,
    Reminder.Kind.OVERDUE: ACTION_ITEM_OVERDUE,
}


def _claim(item: ActionItem, kind: str, now: datetime) -> Reminder | None:
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                action_item=item, kind=kind, deadline=item.deadline, claimed_at=now
            )
            if kind == Reminder.Kind.OVERDUE:
                note = _("The deadline %(deadline)s has passed.")
            else:
                note = _("The deadline %(deadline)s is near.")
            record(
                item,
                REMINDER_VERBS[kind],
                actor_label=SYSTEM,
                note=note % {"deadline": item.deadline.isoformat()},
                public=False,
            )
    except IntegrityError:
        return None  # another run claimed it first
    return reminder


def claim_due_reminders(now: datetime | None = None) -> list[Reminder]:
    now = now or timezone.now()
    day = today(now)
    claimed: list[Reminder] = []
    for kind, items in (
        (Reminder.Kind.OVERDUE, ActionItem.objects.overdue(now)),
        (
            Reminder.Kind.DUE_SOON,
            ActionItem.objects.open().filter(
                deadline__gte=day, deadline__lte=day + timedelta(days=DUE_SOON_DAYS)
            ),
        ),
    ):
        already = Reminder.objects.filter(
            action_item=OuterRef("pk"), kind=kind, deadline=OuterRef("deadline")
        )
        for item in items.exclude(Exists(already)).select_related("owner_organisation"):
            reminder = _claim(item, kind, now)
            if reminder is not None:
                claimed.append(reminder)
    return claimed
