from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from open311.models import ApiKey


class Command(BaseCommand):
    help = "Revoke an Open311 API key by its prefix (the first 12 characters) or the key."

    def add_arguments(self, parser):
        parser.add_argument(
            "key", help="the key's prefix, as listed in the back office, or the key"
        )

    def handle(self, *args, key, **options):
        live = ApiKey.objects.filter(revoked_at__isnull=True)
        matches = live.filter(key_hash=ApiKey.hash(key)) or live.filter(prefix=key[:12])
        count = matches.count()
        if count == 0:
            raise CommandError(f"No live key {key[:12]!r}.")
        if count > 1:
            raise CommandError(f"{count} live keys start with {key[:12]!r}; give the whole key.")
        matches.update(revoked_at=timezone.now())
        self.stdout.write(f"Revoked {key[:12]}…")
