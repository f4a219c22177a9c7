"""The timeline verbs of public-opinion reports (社情民意): between a CPPCC member, the CPPCC
office and departments, none of them shown to residents.

Imported from OpinionsConfig.ready; see timeline.verbs for what each field means.
"""

from django.utils.translation import gettext_lazy as _

from timeline.verbs import Seen, declare

OPINION_SUBMITTED = declare(
    "opinion.submitted", _("Report submitted to the CPPCC office"), Seen.INTERNAL
)
OPINION_REVISED = declare("opinion.revised", _("Report revised and submitted again"), Seen.INTERNAL)
OPINION_RETURNED = declare(
    "opinion.returned", _("Returned to the member for more detail"), Seen.INTERNAL
)
OPINION_ADOPTED = declare("opinion.adopted", _("Adopted by the CPPCC office"), Seen.INTERNAL)
OPINION_MERGED = declare("opinion.merged", _("Merged into a similar report"), Seen.INTERNAL)
OPINION_FORWARDED = declare(
    "opinion.forwarded", _("Forwarded to a department for a written reply"), Seen.INTERNAL
)
OPINION_REPLIED = declare("opinion.replied", _("A department replied"), Seen.INTERNAL)
OPINION_RATED = declare("opinion.rated", _("The member rated a reply"), Seen.INTERNAL)
OPINION_TOPIC = declare("opinion.topic", _("Taken up as a thematic research topic"), Seen.INTERNAL)
OPINION_REPLY_OVERDUE = declare(
    "opinion.reply_overdue", _("A department's reply is overdue"), Seen.INTERNAL
)
