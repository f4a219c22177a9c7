"""The timeline verbs of topics, meetings and resolutions (民事民议).

Imported from ConsultationsConfig.ready; see timeline.verbs for what each field means.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from timeline.verbs import Seen, declare

TOPIC_CREATED = declare(
    "topic.created",
    _("Topic proposed"),
    Seen.PUBLIC,  # the topic's title, written by staff
    resident=pgettext_lazy("resident step", "Proposed as a topic for consultation"),
)
TOPIC_ACCEPTED = declare(
    "topic.accepted",
    _("Topic accepted"),
    Seen.STAFF,
    resident=pgettext_lazy("resident step", "Topic accepted: a meeting will discuss it"),
)
TOPIC_SHELVED = declare(
    "topic.shelved",
    _("Topic shelved"),
    Seen.STAFF,  # the reason is the staff's
    resident=pgettext_lazy("resident step", "Topic put aside for now"),
)
TOPIC_SUPPORTED = declare("topic.supported", _("A resident supported the topic"), Seen.INTERNAL)
TOPIC_SCHEDULED = declare(
    "topic.scheduled",
    _("Topic put on a meeting's agenda"),
    Seen.PUBLIC,  # the meeting's title
    resident=pgettext_lazy("resident step", "On the agenda of a consultation meeting"),
)
TOPIC_DECIDED = declare(
    "topic.decided",
    _("Resolution reached on the topic"),
    Seen.PUBLIC,  # the resolution, published with the meeting's result
    resident=pgettext_lazy("resident step", "The meeting agreed on what to do"),
)
MEETING_SCHEDULED = declare("meeting.scheduled", _("Meeting planned"), Seen.INTERNAL)
MEETING_ANNOUNCED = declare(
    "meeting.announced",
    _("Meeting notice published"),
    Seen.PUBLIC,  # the meeting's title
    resident=pgettext_lazy("resident step", "Meeting announced"),
    message=_(
        "Your concern “%(words)s” (%(code)s) is on the agenda of “%(meeting)s”, "
        "%(when)s at %(where)s. You are welcome to take part."
    ),
    sms_kind="meeting_notice",
    values="meeting",
)
MEETING_RESCHEDULED = declare(
    "meeting.rescheduled",
    _("Meeting moved to a new time"),
    Seen.PUBLIC,  # the old and new times
    resident=pgettext_lazy("resident step", "Meeting moved to a new time"),
    message=_(
        "The meeting “%(meeting)s” on your concern “%(words)s” (%(code)s) has moved: "
        "%(when)s at %(where)s."
    ),
    sms_kind="meeting_moved",
    values="meeting",
)
MEETING_INVITED = declare("meeting.invited", _("Participant invited"), Seen.INTERNAL)
MEETING_REPLIED = declare("meeting.replied", _("Reply to invitation recorded"), Seen.INTERNAL)
MEETING_HELD = declare(
    "meeting.held",
    _("Meeting opened"),
    Seen.STAFF,
    resident=pgettext_lazy("resident step", "Meeting began"),
)
MEETING_SIGNED_IN = declare("meeting.signed_in", _("Participant signed in"), Seen.INTERNAL)
MEETING_STATEMENT = declare("meeting.statement", _("Statement recorded"), Seen.INTERNAL)
MEETING_FIELD_VISIT = declare(
    "meeting.field_visit",
    _("Field visit recorded"),
    Seen.PUBLIC,  # the place visited
    resident=pgettext_lazy("resident step", "Went to see the place"),
)
MEETING_MOTION_OPENED = declare(
    "meeting.motion_opened", _("Proposal put to decision"), Seen.INTERNAL
)
MEETING_VOTE_CAST = declare("meeting.vote_cast", _("Vote cast"), Seen.INTERNAL)
MEETING_MOTION_CLOSED = declare("meeting.motion_closed", _("Decision taken"), Seen.INTERNAL)
MEETING_CLOSED = declare("meeting.closed", _("Meeting closed"), Seen.INTERNAL)
MEETING_PUBLISHED = declare(
    "meeting.published",
    _("Meeting result published"),
    Seen.PUBLIC,  # the meeting's title
    resident=pgettext_lazy("resident step", "Meeting result published"),
    message=_(
        "The result of “%(meeting)s”, which discussed your concern “%(words)s”, is "
        "published: %(link)s"
    ),
    sms_kind="published",
    values="meeting_title",
)
RESOLUTION_RECORDED = declare(
    "resolution.recorded",
    _("Resolution recorded"),
    Seen.PUBLIC,  # the resolution, published with the meeting's result
    resident=pgettext_lazy("resident step", "Resolution agreed"),
)
