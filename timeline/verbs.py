"""The registry of timeline verbs: every kind of event, declared once by the app that records it.

Each app declares its verbs in one module of its own (`concerns/verbs.py`, ...), imported from
its AppConfig.ready, and records events with the constants declared there, never with string
literals: `record(issue, ISSUE_ACCEPTED, ...)`. `record()` refuses a verb nobody declared, and
`timeline/tests/test_verbs.py` finds every verb recorded in the code and by the demo loader.

A verb says who may see it (`Seen`), and, unless it is internal, how it reads to residents on
the tracking page, the whole-story pages, Open311 and WeChat replies. Whether one event is
public is still decided when it is recorded (`Event.public`): a step recorded as not public
stays with the staff whatever its verb says; a public event of an internal verb stays with
them too.
"""

import enum
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.functional import Promise

Text = str | Promise


class Seen(enum.Enum):
    """Who may see an event of a verb (once the event itself is recorded as public)."""

    # Office bookkeeping (grouping, renaming, votes, reminders): staff only, never shown to
    # residents, whatever the event says.
    INTERNAL = "internal"
    # Residents see that the step happened, in its resident wording; its note is the staff's
    # (reasons, site-visit notes, escalation notes).
    STAFF = "staff"
    # Residents see the step and its note: the note is written for them (the outcome, the
    # topic's title, the listed item's owner and deadline).
    PUBLIC = "public"


@dataclass(frozen=True)
class Verb:
    name: str  # dotted, "issue.accepted": what Event.verb stores
    label: Text  # for staff: their timelines, their notifications
    seen: Seen
    resident: Text = ""  # for residents; required unless seen is INTERNAL
    # What a resident who raised the matter is told by SMS or WeChat, when they are told of
    # this step at all; a %-format over notifications' values (words, code, link...).
    message: Text = ""
    # The approved SMS template's kind (notifications.sms.KINDS) the message is sent as.
    sms_kind: str = ""
    # Which extra values the message needs, named for notifications: "meeting", "item",
    # "outcome".
    values: str = ""

    @property
    def shown_to_residents(self) -> bool:
        return self.seen is not Seen.INTERNAL

    @property
    def note_is_public(self) -> bool:
        return self.seen is Seen.PUBLIC


class UnknownVerb(LookupError):
    """An event recorded with a verb no app declared: a programming error."""


_VERBS: dict[str, Verb] = {}


def declare(
    name: str,
    label: Text,
    seen: Seen,
    *,
    resident: Text = "",
    message: Text = "",
    sms_kind: str = "",
    values: str = "",
) -> str:
    """Declare a verb once and return its name, the constant its app records it with."""
    verb = Verb(name, label, seen, resident, message, sms_kind, values)
    known = _VERBS.get(name)
    if known is not None and known != verb:
        raise ValueError(f"Verb {name!r} is declared twice, differently.")
    _VERBS[name] = verb
    return name


def get(name: str) -> Verb:
    try:
        return _VERBS[name]
    except KeyError:
        raise UnknownVerb(name) from None


def check(name: str) -> str:
    """The name, once known to be declared (record() calls it for every event)."""
    get(name)
    return name


def declared() -> Iterator[Verb]:
    return iter(list(_VERBS.values()))


def registered() -> set[str]:
    return set(_VERBS)


def label_for(name: str) -> str:
    """The staff label; an event whose verb is no longer declared shows its raw name."""
    verb = _VERBS.get(name)
    return str(verb.label) if verb else name


def resident_label_for(name: str) -> str:
    """How the step reads to residents ("" for a verb they are not shown)."""
    verb = _VERBS.get(name)
    return str(verb.resident) if verb and verb.shown_to_residents else ""


def shown_to_residents(name: str) -> bool:
    verb = _VERBS.get(name)
    return verb is not None and verb.shown_to_residents


def note_is_public(name: str) -> bool:
    verb = _VERBS.get(name)
    return verb is not None and verb.note_is_public


def public_verbs() -> list[str]:
    """The verbs residents may see, for filtering events in the database."""
    return [v.name for v in _VERBS.values() if v.shown_to_residents]


def public_notes() -> frozenset[str]:
    """The verbs whose note is written for residents (Seen.PUBLIC)."""
    return frozenset(v.name for v in _VERBS.values() if v.note_is_public)
