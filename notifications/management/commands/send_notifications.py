from django.core.management.base import BaseCommand

from notifications.services import send_pending


class Command(BaseCommand):
    help = (
        "Send notifications still waiting (with NOTIFICATIONS_DEFER, or after a crash). Safe to "
        "run from cron every minute: each message is claimed before it is sent, never twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry-failed", action="store_true", help="try failed messages again (3 at most)"
        )

    def handle(self, *args, retry_failed: bool, **options):
        sent = send_pending(retry_failed=retry_failed)
        self.stdout.write(f"{sent} message(s) sent.")
