from django.core.management.base import BaseCommand

from accountability.reminders import claim_due_reminders


class Command(BaseCommand):
    help = (
        "Remind owners and communities of deadlines that are near or passed. Safe to run from "
        "cron every minute: each reminder is claimed once and never sent twice."
    )

    def handle(self, *args, **options):
        claimed = claim_due_reminders()
        self.stdout.write(f"{len(claimed)} reminder(s) sent.")
