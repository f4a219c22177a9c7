from django.core.management.base import BaseCommand

from concerns.actions import refresh_open_terms


class Command(BaseCommand):
    help = (
        "Recompute the grouping features of every open issue from its concerns. Run it once "
        "after an upgrade that changed the grouping vocabulary (concerns/grouping.py); safe "
        "while residents submit."
    )

    def handle(self, *args, **options):
        changed = refresh_open_terms()
        self.stdout.write(f"{changed} open issues have new grouping features.")
