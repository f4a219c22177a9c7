"""Count every community's closed months ahead (insights/tallies.py), so that no dashboard
waits for them. Months already counted and unchanged are skipped, so it is cheap to repeat.

Run it from cron, e.g. every hour and just after midnight on the first of the month:

    5 * * * *  cd /srv/yishi && .venv/bin/python manage.py tally_insights
"""

import time

from django.core.management.base import BaseCommand

from insights import periods, tallies


class Command(BaseCommand):
    help = "Count the closed months of every community ahead of the dashboards."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--months",
            type=int,
            default=periods.MAX_YEARS * 12,
            help="how many months back (default: the longest period a dashboard shows)",
        )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        counted = tallies.rollup_all(options["months"])
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{counted} community-months counted in {elapsed:.1f} s")
