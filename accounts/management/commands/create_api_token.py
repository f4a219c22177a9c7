from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue a bearer token for a staff account (shown once), or revoke one by prefix."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="staff app")
        parser.add_argument("--revoke", metavar="PREFIX", help="revoke the token with this prefix")

    def handle(self, *args, username, name, revoke, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account named {username!r}.")
        if revoke:
            count = ApiToken.objects.filter(
                user=user, prefix=revoke, revoked_at__isnull=True
            ).update(revoked_at=timezone.now())
            if not count:
                raise CommandError(f"No live token {revoke!r} for {username!r}.")
            self.stdout.write(f"Revoked {count} token(s).")
            return
        _token, key = ApiToken.issue(user, name)
        self.stdout.write(key)
