from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultations (discuss and decide)")

    def ready(self) -> None:
        from timeline.verbs import register

        register(
            {
                "topic.created": _("Topic proposed"),
                "topic.accepted": _("Topic accepted"),
                "topic.shelved": _("Topic shelved"),
                "topic.supported": _("A resident supported the topic"),
                "topic.scheduled": _("Topic put on a meeting's agenda"),
                "topic.decided": _("Resolution reached on the topic"),
                "meeting.scheduled": _("Meeting planned"),
                "meeting.announced": _("Meeting notice published"),
                "meeting.rescheduled": _("Meeting moved to a new time"),
                "meeting.invited": _("Participant invited"),
                "meeting.replied": _("Reply to invitation recorded"),
                "meeting.held": _("Meeting opened"),
                "meeting.signed_in": _("Participant signed in"),
                "meeting.statement": _("Statement recorded"),
                "meeting.field_visit": _("Field visit recorded"),
                "meeting.motion_opened": _("Proposal put to decision"),
                "meeting.vote_cast": _("Vote cast"),
                "meeting.motion_closed": _("Decision taken"),
                "meeting.closed": _("Meeting closed"),
                "meeting.published": _("Meeting result published"),
                "resolution.recorded": _("Resolution recorded"),
            }
        )
