"""Human labels for timeline verbs, and which verbs' notes the public may read.

Each app registers its labels at import time (apps.ready). Whether a note is public is decided
here, in one table, for every app: an event marked public shows its label to anyone, but its
note only when the verb's note is written for residents. Every other note (accepting, site
visits, escalations, hand-backs, staff reasons, titles taken from residents' own words) stays
internal, and so does the note of any verb added later until it is listed here.
"""

from django.utils.functional import Promise

_LABELS: dict[str, str | Promise] = {}

# Verbs whose note is a statement for the public, and why.
PUBLIC_NOTES: dict[str, str] = {
    # concerns
    "issue.settled": "the outcome, written for residents (the form says 居民可见)",
    "issue.resolved": "a generated line naming the closed action item",
    "issue.in_consultation": "a generated line naming the topic",
    "issue.in_action": "a generated line naming the listed action item",
    "issue.public_title_set": "the public title staff set or confirmed",
    # accountability
    "action_item.listed": "a generated line: owner organisation and deadline",
    "action_item.progress": "progress text, shown on the public board as well",
    "action_item.rated": "the rating's label only (satisfied, ...)",
    # consultations
    "topic.created": "the topic's title, written by staff",
    "topic.scheduled": "the meeting's title",
    "topic.decided": "the resolution, published with the meeting's result",
    "resolution.recorded": "the resolution, published with the meeting's result",
    "meeting.announced": "the meeting's title",
    "meeting.rescheduled": "the old and new times",
    "meeting.field_visit": "the place visited",
    "meeting.published": "the meeting's title",
}


def register(labels: dict[str, str | Promise]) -> None:
    _LABELS.update(labels)


def label_for(verb: str) -> str:
    return str(_LABELS.get(verb, verb))


def registered() -> set[str]:
    return set(_LABELS)


def note_is_public(verb: str) -> bool:
    return verb in PUBLIC_NOTES
