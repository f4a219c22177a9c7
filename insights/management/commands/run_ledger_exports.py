"""Write the ledger exports still waiting (for example after the web process restarted)."""

from django.core.management.base import BaseCommand

from insights.exports import run_export
from insights.models import LedgerExport


class Command(BaseCommand):
    help = "Write the ledger exports that are still waiting."

    def handle(self, *args, **options) -> None:
        waiting = LedgerExport.objects.filter(status=LedgerExport.Status.PENDING)
        written = sum(run_export(pk) for pk in waiting.values_list("pk", flat=True))
        self.stdout.write(f"{written} ledger exports written")
