from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConcernsConfig(AppConfig):
    name = "concerns"
    verbose_name = _("Concerns (raise)")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from concerns.intake.store import forget_places
        from places.models import Area, Building, Compound
        from timeline.verbs import register

        for model in (Area, Compound, Building):
            post_save.connect(forget_places, sender=model, dispatch_uid=f"concerns.{model}.s")
            post_delete.connect(forget_places, sender=model, dispatch_uid=f"concerns.{model}.d")

        register(
            {
                "concern.received": _("Concern received"),
                "issue.opened": _("Issue registered"),
                "issue.concern_added": _("Another concern joined the issue"),
                "issue.grouping_confirmed": _("Grouping confirmed"),
                "issue.retitled": _("Issue renamed"),
                "issue.public_title_set": _("Public title set"),
                "issue.concern_moved_in": _("Concern moved to this issue"),
                "issue.emptied": _("Issue closed: its concerns were moved"),
                "issue.merged": _("Merged into another issue"),
                "issue.merged_in": _("Another issue merged into this one"),
                "issue.split": _("Issue split"),
                "issue.accepted": _("Accepted"),
                "issue.site_visit": _("Site visit"),
                "issue.photo_published": _("Photo published"),
                "issue.photo_unpublished": _("Photo taken back from the public"),
                "issue.settled": _("Settled"),
                "issue.escalated": _("Escalated"),
                "issue.handed_back": _("Handed back"),
                "issue.in_consultation": _("Taken to a consultation"),
                "issue.in_action": _("Action items listed"),
                "issue.resolved": _("Resolved"),
                "issue.reopened": _("Reopened after residents' evaluation"),
                "compound.card_printed": _("Contact card printed"),
                "area.contacts_changed": _("Contact card details changed"),
            }
        )
