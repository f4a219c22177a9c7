from django.core.management.base import BaseCommand

from opinions.actions import remind_overdue


class Command(BaseCommand):
    help = "Record a reminder for each department reply to a public-opinion report past its date."

    def handle(self, *args, **options):
        count = remind_overdue()
        self.stdout.write(f"{count} overdue replies reminded")
