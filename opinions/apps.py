from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    name = "opinions"
    verbose_name = _("Public-opinion reports (社情民意)")

    def ready(self) -> None:
        from timeline.verbs import register

        register(
            {
                "opinion.submitted": _("Report submitted to the CPPCC office"),
                "opinion.revised": _("Report revised and submitted again"),
                "opinion.returned": _("Returned to the member for more detail"),
                "opinion.adopted": _("Adopted by the CPPCC office"),
                "opinion.merged": _("Merged into a similar report"),
                "opinion.forwarded": _("Forwarded to a department for a written reply"),
                "opinion.replied": _("A department replied"),
                "opinion.rated": _("The member rated a reply"),
                "opinion.topic": _("Taken up as a thematic research topic"),
                "opinion.reply_overdue": _("A department's reply is overdue"),
            }
        )
