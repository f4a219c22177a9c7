"""What a message says: the subject line, the body and the SMS template's values of one event
for one person. Each audience has its own wording (a resident, a follower, an invited
participant, a grid worker, staff), and none names another person's data."""

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerns.verbs import CONCERN_RECEIVED
from consultations.verbs import (
    MEETING_ANNOUNCED,
    MEETING_INVITED,
    MEETING_PUBLISHED,
    MEETING_RESCHEDULED,
    TOPIC_CREATED,
)
from notifications.audiences import Recipient
from notifications.following import CODE_MINUTES
from notifications.verbs import FOLLOW_REQUESTED
from timeline import verbs
from timeline.models import Event


def cut(text: str, limit: int) -> str:
    """At most `limit` characters of `text` on one line; a text cut short ends with "…", and
    is cut between words (jieba's), not inside one."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    import jieba

    jieba.setLogLevel(60)
    kept = ""
    for word in jieba.cut(text):
        if len(kept) + len(word) > limit - 1:
            break
        kept += word
    # A single word longer than the room left (a long number, a URL) is cut where it must be.
    kept = (kept or text[: limit - 1]).rstrip(' ，,、；;：:（(“"')
    return kept + "…"


def _title(subject: Any) -> str:
    # A concern has no title: the start of the resident's own words (told only to them).
    text = getattr(subject, "title", "") or getattr(subject, "content", "")
    return cut(str(text or subject), 40)


def _own_words(recipient: Recipient, subject: Any) -> str:
    """How a message names the resident's matter: their own words, cut short, long digit
    runs (phone or ID numbers) left out."""
    words = recipient.words or getattr(subject, "content", "")
    return cut(re.sub(r"\d{7,}", "…", words), 16)


def site_link(path: str) -> str:
    """A link a phone can open: the path behind settings.SITE_URL (e.g. https://yishi.example.cn)."""
    if not path:
        return ""
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def _meeting_values(meeting: Any) -> dict[str, str]:
    """What a resident's SMS says of a meeting: its title, when and where (shortened)."""
    starts = timezone.localtime(meeting.starts_at)
    return {
        "meeting": cut(meeting.title, 24),
        "when": f"{starts:%Y-%m-%d %H:%M}",
        "where": cut(meeting.where, 20),
    }


def _meeting_title(meeting: Any) -> dict[str, str]:
    return {"meeting": cut(meeting.title, 24)}


def _item_values(item: Any) -> dict[str, str]:
    """What a resident's SMS says of a listed action item: what, by whom, by when."""
    return {
        "item": cut(item.title, 24),
        "owner": cut(item.owner_organisation.name, 16),
        "deadline": item.deadline.isoformat(),
    }


def _outcome_values(event: Event, subject: Any) -> dict[str, str]:
    outcome = cut(event.note or getattr(subject, "outcome", ""), 30)
    return {"outcome": outcome.rstrip("。.！!；;")}


# The extra values a verb's message needs (timeline.verbs.Verb.values), by name.
EXTRA_VALUES: dict[str, Callable[[Event, Any], dict[str, str]]] = {
    "": lambda event, subject: {},
    "meeting": lambda event, subject: _meeting_values(subject),
    "meeting_title": lambda event, subject: _meeting_title(subject),
    "item": lambda event, subject: _item_values(subject),
    "outcome": _outcome_values,
}


def _when(meeting: Any) -> str:
    """The day, start and (same-day) end of a meeting: 2026-12-05 14:30–16:00."""
    starts = timezone.localtime(meeting.starts_at)
    when = f"{starts:%Y-%m-%d %H:%M}"
    if meeting.ends_at:
        ends = timezone.localtime(meeting.ends_at)
        if ends.date() == starts.date() and ends > starts:
            when += f"–{ends:%H:%M}"
    return when


# The steps a participant's own invitation is sent with: the notice, a later invitation, and
# the notice corrected.
_INVITED = gettext_lazy(
    "You are invited to “%(meeting)s”, %(when)s at %(where)s. Your sign-in code is "
    "%(code)s; on the day, sign in at %(link)s"
)
_MOVED = gettext_lazy(
    "The meeting “%(meeting)s” has moved: %(when)s at %(where)s. Your sign-in code "
    "stays %(code)s; on the day, sign in at %(link)s"
)
INVITATIONS = {
    MEETING_ANNOUNCED: (_INVITED, "invitation"),
    MEETING_INVITED: (_INVITED, "invitation"),
    MEETING_RESCHEDULED: (_MOVED, "invitation_moved"),
}


def invitation_message(
    event: Event, meeting: Any, recipient: Recipient, link: str
) -> tuple[str, str, dict[str, str]]:
    """(text, template kind, values) of a participant's invitation: what, when, where, their
    own sign-in code and the page where they enter it."""
    values = {
        "meeting": cut(meeting.title, 24),
        "when": _when(meeting),
        "where": cut(meeting.where, 30) or _("the place to be announced"),
        "code": recipient.sign_in_code,
        "link": site_link(link),
        "path": link,
    }
    text, kind = INVITATIONS[event.verb]
    return str(text) % values, kind, values


# What a follower is told of each step (notifications.following), with the stop link.
FOLLOW_NEWS = {
    TOPIC_CREATED: gettext_lazy(
        "New topic in %(community)s: “%(title)s”. %(link)s To stop: %(stop)s"
    ),
    MEETING_ANNOUNCED: gettext_lazy(
        "%(community)s holds “%(title)s”, %(when)s at %(where)s. %(link)s To stop: %(stop)s"
    ),
    MEETING_PUBLISHED: gettext_lazy(
        "%(community)s: the result of “%(title)s” is published. %(link)s To stop: %(stop)s"
    ),
}


def follow_message(
    event: Event, subject: Any, recipient: Recipient, link: str
) -> tuple[str, str, dict[str, str]]:
    """(text, kind, values) for a community's follower: the code confirming their phone, or
    a new topic, meeting notice or result, always with the one-tap stop link. Public text
    only (titles through timeline.public), nobody's data."""
    from timeline.public import mask_public_text

    if event.verb == FOLLOW_REQUESTED:
        values = {
            "community": cut(subject.community.name, 20),
            "code": recipient.code,
            "minutes": str(CODE_MINUTES),
        }
        text = _(
            "Your code to follow %(community)s is %(code)s (valid %(minutes)s minutes). "
            "If you did not ask for it, ignore this message."
        )
        return text % values, "follow_code", values
    area = subject.area
    values = {
        "community": cut(area.name, 20),
        "title": cut(mask_public_text(subject.title), 24),
        "when": "",
        "where": "",
        "link": site_link(link),
        "stop": site_link(recipient.stop),
    }
    if event.verb == MEETING_ANNOUNCED:
        values |= {"when": _when(subject), "where": cut(mask_public_text(subject.where), 30)}
    news = FOLLOW_NEWS.get(event.verb, FOLLOW_NEWS[MEETING_PUBLISHED])
    return str(news) % values, "follow_news", values


def grid_message(concern: Any, recipient: Recipient, link: str) -> tuple[str, dict[str, str]]:
    """A grid worker's message of a concern arriving: the grid, the start of the words (long
    digit runs left out), and the issue's page."""
    values = {
        "grid": cut(recipient.place, 16),
        "words": cut(re.sub(r"\d{7,}", "…", concern.content), 24),
        "link": site_link(link),
        "path": link,
    }
    # The link is the message's own (in-app and email show it as such); an SMS adds it.
    text = _("A new concern in %(grid)s: “%(words)s”. Please take it on.")
    return text % values, values


def resident_message(
    event: Event, subject: Any, recipient: Recipient, link: str
) -> tuple[str, str, dict[str, str]]:
    """(text, template kind, template values) of one of the few steps residents are told of
    (audiences.RESIDENT_VERBS and the item's listing): their own words, their own code,
    nobody else's data. The text and the template kind are the verb's (timeline.verbs); the
    values are what a gateway's approved template is filled with."""
    values = {
        "words": _own_words(recipient, subject),
        "code": recipient.tracking_code,
        "link": site_link(link),
        "path": link,
    }
    verb = verbs.get(event.verb)
    values |= EXTRA_VALUES[verb.values](event, subject)
    if verb.message:
        return str(verb.message) % values, verb.sms_kind or "notice", values
    # A step told to residents without a message of its own: its resident wording.
    values["label"] = str(verb.resident or verb.label)
    text = _("Your concern “%(words)s” (%(code)s): %(label)s.") % values
    return text, "notice", values


def compose_message(
    event: Event, subject: Any, recipient: Recipient, link: str = ""
) -> tuple[str, str, str, dict[str, str]]:
    """(subject line, body, SMS template kind, template values)."""
    title = _title(subject)
    label = event.label
    line = "【{}】{}：{}".format(_("Yishi"), title, label)
    if recipient.tracking_code:
        line = "【{}】{}".format(_("Yishi"), event.resident_label or label)
        text, kind, values = resident_message(event, subject, recipient, link)
        return line, text, kind, values
    if recipient.code or "follower" in recipient.roles:
        line = "【{}】{}".format(
            _("Yishi"),
            _("Following %(community)s")
            % {"community": (subject.community if recipient.code else subject.area).name},
        )
        text, kind, values = follow_message(event, subject, recipient, link)
        return line, text, kind, values
    if recipient.sign_in_code and event.verb in INVITATIONS:
        line = "【{}】{}".format(_("Yishi"), _("Meeting invitation"))
        text, kind, values = invitation_message(event, subject, recipient, link)
        return line, text, kind, values
    if "grid" in recipient.roles and event.verb == CONCERN_RECEIVED:
        line = "【{}】{}".format(_("Yishi"), _("New concern in your grid"))
        text, values = grid_message(subject, recipient, link)
        return line, text, "grid_concern", values
    if recipient.user is None:
        # Someone without an account (a resident invited to a meeting) reads residents' words.
        label = event.resident_label or label
    note = (event.note or "").strip()
    body = f"{title}：{label}"
    if note:
        body += f"\n{note}"
    values = {"title": title, "label": str(label), "link": site_link(link), "path": link}
    return line, body, "notice", values
