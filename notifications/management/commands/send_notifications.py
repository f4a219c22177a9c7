from django.core.management.base import BaseCommand

from notifications.services import plan_waiting, send_pending


class Command(BaseCommand):
    help = (
        "Plan the messages of the events waiting in the timeline's outbox (with "
        "NOTIFICATIONS_DEFER, or after a crash), then send every message waiting or due to be "
        "tried again, after asking the gateway about those it did not answer. Safe to run "
        "from cron every minute: each event is taken once and each message is claimed before "
        "it is sent, never twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="give failed messages one more try (unconfirmed ones are never resent)",
        )

    def handle(self, *args, retry_failed: bool, **options):
        planned = plan_waiting()
        sent = send_pending(retry_failed=retry_failed)
        self.stdout.write(f"{planned} message(s) planned, {sent} sent.")
