"""The one rule for text shown to the public, used by every public surface: the tracking page,
the public boards, the whole-story pages, Open311 and the public API answers.

- An event is shown only when it is marked public (`Event.public`) and its verb is one
  residents are shown (`timeline.verbs`: not `Seen.INTERNAL`), in the verb's resident wording.
- Its note is shown only when the verb's note is written for the public (`Seen.PUBLIC`);
  staff notes (accepting, site visits, escalations, hand-backs, reasons) never are.
- Any free text shown publicly goes through `mask_public_text`: phone numbers, ID numbers and
  room or door numbers are masked, however they are written.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import models

from timeline.models import Event
from timeline.services import events_for
from timeline.verbs import note_is_public, shown_to_residents

# `\d` matches full-width digits too (１３８…, as typed on Chinese keyboards); where a pattern
# names a digit, it names both forms.
_SEP = r"[\s\-－—.·]*"

# 18-digit resident ID numbers (the last may be X), grouped 6-8-4 or written in one run.
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])(\d{3})\d{3}\s?\d{8}\s?\d{3}[\dXx](?![\dA-Za-z])")
# Mainland mobiles, +86 or not, in any spacing: 13812345678, 138 1234 5678, 138-1234-5678.
_MOBILE = re.compile(
    r"(?<![\d*])(?:[+＋]?[8８][6６]"
    + _SEP
    + r")?([1１]"
    + _SEP
    + r"[3-9３-９](?:"
    + _SEP
    + r"\d){9})(?!\d)"
)
# Landlines with their area code: 0571-88886666, (0571) 8888 6666, 010 6666 8888, 转 extension.
_LANDLINE = re.compile(
    r"(?<![\d*])[(（]?([0０]\d{2,3})[)）]?" + _SEP + r"(\d(?:" + _SEP + r"\d){6,7})(?!\d)"
    r"(?:\s*(?:转|-|ext\.?)\s*\d{1,5})?"
)
_ROOM_SUFFIX = r"(?:室|号房|房间|房|户|号)?"
# Building-unit-room as residents write it: 3-2-501, 12－3－502室.
_DASHED_ROOM = re.compile(
    r"(?<![\d\-*])(\d{1,3})\s*[-－—]\s*\d{1,2}\s*[-－—]\s*\d{2,4}" + _ROOM_SUFFIX + r"(?![\d\-])"
)
# Unit and room: 2单元501, 3单元502室 (the building before it stays: 12号楼).
_UNIT_ROOM = re.compile(r"\d{1,2}\s*单元\s*(?:\d{1,2}\s*(?:楼|层)\s*)?\d{2,4}" + _ROOM_SUFFIX)
# Building then room without a unit: 3栋502, 5号楼1201室, 6幢-302.
_BUILDING_ROOM = re.compile(
    r"(\d{1,3}\s*(?:号楼|栋|幢|座))\s*[-－—]?\s*\d{3,4}" + _ROOM_SUFFIX + r"(?!\d)"
)
# A room on its own: 501室, 1201房, 302号房, 3-501室 (not "100户", a count of households).
_ROOM = re.compile(r"(?<![\d*])(?:\d{1,3}\s*[-－—]\s*)?\d{3,4}\s*(?:室|号房|房间|房)")

ROOM_MASK = "***"


def _mobile(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match[1])
    return f"{digits[:3]}****{digits[-4:]}"


def _landline(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match[2])
    return f"{match[1]}-****{digits[-4:]}"


def _room_suffix(text: str) -> str:
    """The word that says it is a room (室, 户...), kept so the sentence still reads."""
    found = re.search(r"(室|号房|房间|房|户|号)$", text)
    return found[1] if found else ""


def mask_public_text(text: str | None) -> str:
    """Free text as the public may read it: phones, ID numbers and rooms masked.

    `张先生，3栋2单元501室，电话138 1234 5678` → `张先生，3栋*单元***室，电话138****5678`."""
    if not text:
        return ""
    text = str(text)
    text = _ID_NUMBER.sub(lambda m: f"{m[1]}{'*' * 11}{m[0][-4:]}", text)
    text = _MOBILE.sub(_mobile, text)
    text = _LANDLINE.sub(_landline, text)
    text = _DASHED_ROOM.sub(lambda m: f"{m[1]}-*-{ROOM_MASK}{_room_suffix(m[0])}", text)
    text = _UNIT_ROOM.sub(lambda m: f"*单元{ROOM_MASK}{_room_suffix(m[0])}", text)
    text = _BUILDING_ROOM.sub(lambda m: f"{m[1]}{ROOM_MASK}{_room_suffix(m[0])}", text)
    return _ROOM.sub(lambda m: f"{ROOM_MASK}{_room_suffix(m[0])}", text)


def public_note(event: Event) -> str:
    """The note of an event as the public may read it: empty unless the event is public and
    its verb's note is meant for the public; masked when it is."""
    if not event.public or not shown_to_residents(event.verb) or not note_is_public(event.verb):
        return ""
    return mask_public_text(event.note)


@dataclass
class PublicEvent:
    when: datetime
    verb: str
    label: str
    by: str
    note: str
    subject_type: str  # the model name ("issue", "concern", "actionitem"...)
    subject_id: int


def public_events(subjects: Iterable[models.Model]) -> list[PublicEvent]:
    """The public timeline of the given objects, oldest first, in one query: only events
    residents may see, each in its resident wording with its note as `public_note` gives it."""
    return [
        PublicEvent(
            when=event.created_at,
            verb=event.verb,
            label=event.resident_label,
            by=event.actor_label,
            note=public_note(event),
            subject_type=event.subject_type.model,
            subject_id=event.subject_id,
        )
        for event in events_for(subjects, public_only=True)
    ]
