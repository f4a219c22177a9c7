"""The timeline verbs of concerns and issues (民事民提, 民事民办): declared once, recorded by name.

Imported from ConcernsConfig.ready; see timeline.verbs for what each field means.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from timeline.verbs import Seen, declare

CONCERN_RECEIVED = declare(
    "concern.received",
    _("Concern received"),
    Seen.STAFF,
    resident=pgettext_lazy("resident step", "We received the concern"),
    message=_(
        "We have received your concern “%(words)s”. Your tracking code is %(code)s: "
        "follow it at %(link)s"
    ),
    sms_kind="received",
)
# Residents follow their own concern's receipt (CONCERN_RECEIVED), recorded with it.
ISSUE_OPENED = declare("issue.opened", _("Issue registered"), Seen.INTERNAL)
ISSUE_CONCERN_ADDED = declare(
    "issue.concern_added", _("Another concern joined the issue"), Seen.INTERNAL
)
ISSUE_GROUPING_CONFIRMED = declare(
    "issue.grouping_confirmed", _("Grouping confirmed"), Seen.INTERNAL
)
ISSUE_RETITLED = declare("issue.retitled", _("Issue renamed"), Seen.INTERNAL)
# The public title shows at the head of the tracking page; setting it is the office's step.
ISSUE_PUBLIC_TITLE_SET = declare("issue.public_title_set", _("Public title set"), Seen.INTERNAL)
ISSUE_CONCERN_MOVED_IN = declare(
    "issue.concern_moved_in", _("Concern moved to this issue"), Seen.INTERNAL
)
ISSUE_EMPTIED = declare("issue.emptied", _("Issue closed: its concerns were moved"), Seen.INTERNAL)
ISSUE_MERGED = declare(
    "issue.merged",
    _("Merged into another issue"),
    Seen.STAFF,
    resident=pgettext_lazy(
        "resident step", "Handled together with the same matter raised by other residents"
    ),
)
ISSUE_MERGED_IN = declare("issue.merged_in", _("Another issue merged into this one"), Seen.INTERNAL)
ISSUE_SPLIT = declare("issue.split", _("Issue split"), Seen.INTERNAL)
ISSUE_ACCEPTED = declare(
    "issue.accepted",
    _("Accepted"),
    Seen.STAFF,
    resident=pgettext_lazy("resident step", "Accepted and being handled"),
    message=_("Your concern “%(words)s” (%(code)s) has been accepted and is being handled."),
    sms_kind="accepted",
)
ISSUE_SITE_VISIT = declare(
    "issue.site_visit",
    _("Site visit"),
    Seen.STAFF,
    resident=pgettext_lazy("resident step", "Staff went to see the place"),
)
ISSUE_PHOTO_PUBLISHED = declare("issue.photo_published", _("Photo published"), Seen.INTERNAL)
ISSUE_PHOTO_UNPUBLISHED = declare(
    "issue.photo_unpublished", _("Photo taken back from the public"), Seen.INTERNAL
)
ISSUE_SETTLED = declare(
    "issue.settled",
    _("Settled"),
    Seen.PUBLIC,  # the outcome, written for residents (the form says so)
    resident=pgettext_lazy("resident step", "Settled"),
    message=_(
        "Your concern “%(words)s” (%(code)s) is settled: %(outcome)s. Please rate how it "
        "was handled (satisfied, basically satisfied or dissatisfied): %(link)s"
    ),
    sms_kind="settled",
    values="outcome",
)
ISSUE_ESCALATED = declare(
    "issue.escalated",
    _("Escalated"),
    Seen.STAFF,  # the reason is a note between staff
    resident=pgettext_lazy("resident step", "Passed to a higher level to be handled"),
)
ISSUE_HANDED_BACK = declare(
    "issue.handed_back",
    _("Handed back"),
    Seen.STAFF,
    resident=pgettext_lazy("resident step", "Passed back to be handled locally"),
)
ISSUE_IN_CONSULTATION = declare(
    "issue.in_consultation",
    _("Taken to a consultation"),
    Seen.PUBLIC,  # a generated line naming the topic
    resident=pgettext_lazy("resident step", "Taken to a residents' consultation"),
)
ISSUE_IN_ACTION = declare(
    "issue.in_action",
    _("Action items listed"),
    Seen.PUBLIC,  # a generated line naming the listed action item
    resident=pgettext_lazy("resident step", "Listed publicly, with who does what by when"),
)
ISSUE_RESOLVED = declare(
    "issue.resolved",
    _("Resolved"),
    Seen.PUBLIC,  # a generated line naming the closed action item
    resident=pgettext_lazy("resident step", "Done"),
    message=_(
        "Your concern “%(words)s” (%(code)s) is settled: %(outcome)s. Please rate how it "
        "was handled (satisfied, basically satisfied or dissatisfied): %(link)s"
    ),
    sms_kind="settled",
    values="outcome",
)
ISSUE_REOPENED = declare(
    "issue.reopened",
    _("Reopened after residents' evaluation"),
    Seen.STAFF,
    resident=pgettext_lazy("resident step", "Handed over again to be handled"),
)
COMPOUND_CARD_PRINTED = declare("compound.card_printed", _("Contact card printed"), Seen.INTERNAL)
AREA_CONTACTS_CHANGED = declare(
    "area.contacts_changed", _("Contact card details changed"), Seen.INTERNAL
)
