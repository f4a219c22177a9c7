from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = _("Action items (do and rate)")

    def ready(self) -> None:
        from timeline.verbs import register

        register(
            {
                "action_item.listed": _("Listed publicly as an action item"),
                "action_item.progress": _("Progress reported"),
                "action_item.done": _("Reported done, awaiting verification and ratings"),
                "action_item.verified": _("Verified by the community"),
                "action_item.closed": pgettext_lazy("action item", "Closed"),
                "action_item.reopened": _("Reopened"),
                "action_item.rated": _("Rated by a resident"),
                "action_item.overdue": _("Deadline passed"),
                "action_item.due_soon": _("Deadline approaching"),
                "issue.rated": _("A resident rated how the matter was settled"),
                "evaluation_rule.set": _("Evaluation rule changed"),
            }
        )
