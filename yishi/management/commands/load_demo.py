import logging

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from places.models import Area
from yishi.manifests import MANIFESTS


class _Lines:
    def __init__(self, stdout):
        self.stdout = stdout

    def write(self, text: str) -> None:
        self.stdout.write(f"  {text}")


class Command(BaseCommand):
    help = "Load the demo data of the seed's seven stories. Safe to run again: adds nothing twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database has areas"
        )

    def handle(self, *args, if_empty: bool, **options):
        if if_empty and Area.objects.exists():
            self.stdout.write("Demo data: the database already has data; left as it is.")
            return
        translation.activate(settings.LANGUAGE_CODE)
        self.stdout.write("Loading demo data:")
        # The stories notify their (fictional) residents as they are played; keep the text
        # messages out of the console, where they would bury the set-up's own output.
        sms_log = logging.getLogger("yishi.sms")
        level = sms_log.level
        sms_log.setLevel(logging.WARNING)
        try:
            self._load_all()
        finally:
            sms_log.setLevel(level)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Accounts: see README.md."))

    def _load_all(self) -> None:
        with transaction.atomic():
            for manifest in MANIFESTS:
                if manifest.demo is not None:
                    manifest.demo(_Lines(self.stdout))
