"""Compute the default dashboards of every street, district and city ahead of their viewers.

Run it from cron as often as INSIGHTS_CACHE_SECONDS (five minutes by default):

    */5 * * * *  cd /srv/yishi && .venv/bin/python manage.py warm_insights
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from insights import cache, metrics
from places.models import Area


class Command(BaseCommand):
    help = "Compute the dashboards of streets, districts and cities ahead of their viewers."

    def handle(self, *args, **options) -> None:
        period = metrics.Period.parse(None, None)
        areas = Area.objects.exclude(kind__in=[Area.Kind.COMMUNITY, Area.Kind.GRID])
        started = time.perf_counter()
        count = 0
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for area in areas.order_by("path"):
                    cache.dashboard(area, period)
                    count += 1
        self.stdout.write(f"{count} dashboards computed in {time.perf_counter() - started:.1f} s")
