"""Recording and reading the timeline.

`record()` is called inside the transaction of a state change; listeners of
`event_committed` (notifications) hear of the event only after that transaction commits.
Work that should not run inside requests reads the events instead from the outbox
(`outbox()`, `mark_dispatched()`): each event waits there from its own commit, so a crash
right after a commit loses nothing.
"""

from collections.abc import Iterable
from typing import Any, TypedDict, Unpack

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils.functional import Promise

from core import sql
from timeline import verbs
from timeline.actors import stored
from timeline.models import Event

# Sent with `event=` once the transaction that recorded the event has committed.
event_committed = Signal()
# Sent with `events=` (a list, in order) once for each record() or record_many() call, after
# event_committed for each of them: for listeners whose work per change is the same however
# many events it recorded (marking a community's figures stale).
events_committed = Signal()


def _event(
    subject: models.Model,
    verb: str,
    *,
    actor: Any = None,
    actor_label: str | Promise = "",
    note: str = "",
    public: bool = True,
    data: dict | None = None,
) -> Event:
    # Given as `subject=`, the object stays cached on the event: listeners after the commit
    # read event.subject (its community, its title) without loading it again.
    return Event(
        subject=subject,
        verb=verbs.check(verb),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=stored(actor_label),
        note=note,
        public=public,
        data=data or {},
    )


def _announce(events: list[Event]) -> None:
    def send() -> None:
        for event in events:
            event_committed.send(sender=Event, event=event)
        events_committed.send(sender=Event, events=events)

    transaction.on_commit(send)


class Details(TypedDict, total=False):
    """What record() takes besides the subject and the verb (_event's keywords)."""

    actor: Any
    actor_label: str | Promise
    note: str
    public: bool
    data: dict | None


def record(subject: models.Model, verb: str, **details: Unpack[Details]) -> Event:
    """Record one event of a state change. `verb` is a constant an app declared in its
    verbs module (timeline.verbs): an undeclared verb raises verbs.UnknownVerb."""
    event = _event(subject, verb, **details)
    event.save(force_insert=True)
    _announce([event])
    return event


def record_many(*entries: tuple[models.Model, str, dict[str, Any]]) -> list[Event]:
    """Several events of one state change, as (subject, verb, record()'s keywords), written in
    one INSERT; listeners hear of them after the commit, in the order given."""
    events = list(sql.insert([_event(s, verb, **kw) for s, verb, kw in entries]))
    _announce(events)
    return events


def outbox(limit: int) -> list[Event]:
    """Up to `limit` committed events the deferred work has not seen yet, oldest first,
    each row locked (skip locked: two workers never take the same events). Call it inside a
    transaction and mark_dispatched() what you took before it commits."""
    waiting = Event.objects.filter(dispatched=False).select_for_update(skip_locked=True)
    return list(waiting.order_by("id")[:limit])


def mark_dispatched(events: Iterable[Event]) -> None:
    Event.objects.filter(pk__in=[e.pk for e in events]).update(dispatched=True)


def events_for(subjects: Iterable[models.Model], *, public_only: bool = False):
    """Every event of the given objects, oldest first, in one query; with `public_only`, only
    those residents may see: recorded as public, of a verb shown to residents."""
    condition = Q(pk__in=[])
    for subject in subjects:
        condition |= Q(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        )
    events = Event.objects.filter(condition).select_related("subject_type")
    if public_only:
        events = events.filter(public=True, verb__in=verbs.public_verbs())
    return events.order_by("created_at", "id")
