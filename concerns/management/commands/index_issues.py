"""Index every issue's words for the staff search now (a search does it lazily otherwise)."""

from typing import Any

from django.core.management.base import BaseCommand

from concerns import search
from concerns.models import Issue


class Command(BaseCommand):
    help = "Index the words of issues for the staff search (changed ones; --all: every one)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="re-index every issue")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            Issue.objects.update(search_indexed_at=None)
        done = search.refresh(Issue.objects.all(), limit=None)
        self.stdout.write(f"{done} issues indexed")
