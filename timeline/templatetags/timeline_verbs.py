"""{% load timeline_verbs %}: on a staff form, where the note typed there will be seen, read
from the verb the form records (timeline.verbs), so the form and the public pages cannot
disagree.

    {% note_audience "issue.escalated" %}   a badge: 居民可见 or 仅工作人员可见
    {% note_where "issue.escalated" %}      a sentence: what residents read of the step instead
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from timeline import verbs

register = template.Library()


@register.simple_tag
def note_audience(verb_name: str) -> SafeString:
    if verbs.get(verb_name).note_is_public:
        return format_html(
            '<span class="badge green" data-testid="note-public">{}</span>',
            _("Visible to residents"),
        )
    return format_html(
        '<span class="badge" data-testid="note-staff">{}</span>', _("Seen by staff only")
    )


@register.simple_tag
def note_where(verb_name: str) -> str:
    verb = verbs.get(verb_name)
    if verb.note_is_public:
        return _("Residents read this note on their tracking page and on public pages.")
    if verb.shown_to_residents:
        return _("Residents see only “%(step)s” on their tracking page, not this note.") % {
            "step": verb.resident
        }
    return _("Residents see neither this step nor this note.")
