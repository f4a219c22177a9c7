"""The timeline verbs of action items (民事民办, 民事民评) and of residents' ratings.

Imported from AccountabilityConfig.ready; see timeline.verbs for what each field means.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from timeline.verbs import Seen, declare

ACTION_ITEM_LISTED = declare(
    "action_item.listed",
    _("Listed publicly as an action item"),
    Seen.PUBLIC,  # a generated line: owner organisation and deadline
    resident=pgettext_lazy("resident step", "Listed publicly, with who does what by when"),
    message=_(
        "For your concern “%(words)s” (%(code)s) this is publicly listed: “%(item)s”, "
        "by %(owner)s, to be done by %(deadline)s."
    ),
    sms_kind="listed",
    values="item",
)
ACTION_ITEM_PROGRESS = declare(
    "action_item.progress",
    _("Progress reported"),
    Seen.PUBLIC,  # the progress text, shown on the public board as well
    resident=pgettext_lazy("resident step", "Progress"),
)
ACTION_ITEM_DONE = declare(
    "action_item.done",
    _("Reported done, awaiting verification and ratings"),
    Seen.STAFF,
    resident=pgettext_lazy(
        "resident step", "Reported done: the community checks it and residents rate it"
    ),
)
ACTION_ITEM_VERIFIED = declare(
    "action_item.verified",
    _("Verified by the community"),
    Seen.STAFF,
    resident=pgettext_lazy("resident step", "Checked by the community"),
)
ACTION_ITEM_CLOSED = declare(
    "action_item.closed",
    pgettext_lazy("action item", "Closed"),
    Seen.STAFF,
    resident=pgettext_lazy("resident step", "Done and closed"),
)
ACTION_ITEM_REOPENED = declare(
    "action_item.reopened",
    _("Reopened"),
    Seen.STAFF,
    resident=pgettext_lazy("resident step", "To be done again"),
)
ACTION_ITEM_RATED = declare(
    "action_item.rated",
    _("Rated by a resident"),
    Seen.PUBLIC,  # the rating's label only (satisfied, ...)
    resident=pgettext_lazy("resident step", "A resident rated it"),
)
ACTION_ITEM_OVERDUE = declare("action_item.overdue", _("Deadline passed"), Seen.INTERNAL)
ACTION_ITEM_DUE_SOON = declare("action_item.due_soon", _("Deadline approaching"), Seen.INTERNAL)
# One resident's rating of a matter: the story counts them on one line, never one by one.
ISSUE_RATED = declare(
    "issue.rated", _("A resident rated how the matter was settled"), Seen.INTERNAL
)
EVALUATION_RULE_SET = declare("evaluation_rule.set", _("Evaluation rule changed"), Seen.INTERNAL)
