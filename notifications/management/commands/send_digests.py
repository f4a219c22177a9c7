from django.core.management.base import BaseCommand

from notifications.services import send_digests


class Command(BaseCommand):
    help = "Send the daily digest email to staff who chose it (run once a day from cron)."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"{sent} digest(s) sent.")
