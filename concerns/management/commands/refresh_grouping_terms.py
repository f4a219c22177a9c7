from django.core.management.base import BaseCommand

from concerns.intake.profiles import refresh_open_terms


class Command(BaseCommand):
    help = (
        "Recompute the grouping profile of every open issue from its concerns and file it in "
        "the term index the grouping step looks candidates up in. Run it once after an upgrade "
        "that changed the grouping model (concerns/intake/model.py) or added the term index "
        "(migration concerns 0008); safe while residents submit."
    )

    def handle(self, *args, **options):
        changed = refresh_open_terms()
        self.stdout.write(f"{changed} open issues have new grouping features.")
