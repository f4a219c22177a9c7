"""Large ledger exports, written in the background.

A ledger whose rows would exceed INSIGHTS_EXPORT_INLINE_ROWS is not written while the browser
waits: a LedgerExport row is created and, once the request's transaction commits, a thread
writes the file into media storage; the person who asked is shown a page that refreshes until
the file is ready. `manage.py run_ledger_exports` writes any left waiting (after a restart).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from insights import ledgers, metrics
from insights.models import LedgerExport
from places.models import Area

logger = logging.getLogger(__name__)

DEFAULT_INLINE_ROWS = 20_000


def inline_limit() -> int:
    return int(getattr(settings, "INSIGHTS_EXPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS))


def estimated_rows(kind: str, area: Area, period: metrics.Period) -> int:
    """The rows of the ledger's big sheets (concerns, issues): one count query each."""
    scope = metrics.Scope.of(area)
    sheets = ledgers.LEDGERS[kind].sheets
    rows = 0
    if "concerns" in sheets:
        rows += metrics.received_concerns(scope, period).count()
    if "issues" in sheets:
        rows += metrics.received_issues(scope, period).count()
    return rows


def request_export(user: Any, area: Area, kind: str, period: metrics.Period) -> LedgerExport:
    export = LedgerExport.objects.create(
        user=user,
        area=area,
        kind=kind,
        start=period.start,
        end=period.end,
        filename=ledgers.filename(kind, area, period),
    )
    transaction.on_commit(lambda: start(export.pk))
    return export


# The threads started by this process (tests and shutdown hooks may join them).
threads: list[threading.Thread] = []


def start(pk: int) -> None:
    if getattr(settings, "INSIGHTS_EXPORT_THREADS", True):
        thread = threading.Thread(target=_run_in_thread, args=(pk,), daemon=True)
        threads[:] = [t for t in threads if t.is_alive()] + [thread]
        thread.start()
    else:
        run_export(pk)


def _run_in_thread(pk: int) -> None:
    # The thread has its own database connection: close it when done.
    try:
        run_export(pk)
    finally:
        connection.close()


def run_export(pk: int) -> bool:
    """Write one waiting export; False if someone else has claimed it."""
    claimed = LedgerExport.objects.filter(pk=pk, status=LedgerExport.Status.PENDING).update(
        status=LedgerExport.Status.RUNNING
    )
    if not claimed:
        return False
    try:
        export = LedgerExport.objects.select_related("area", "user").get(pk=pk)
        period = metrics.Period(export.start, export.end)
        # Masked for the person who asked, by their roles as they are now: a role taken
        # away meanwhile shows no more than it should.
        with ledgers.ledger_file(export.kind, export.area, period, reader=export.user) as out:
            export.file.save(f"ledger-{export.pk}.xlsx", File(out), save=False)
        export.status = LedgerExport.Status.DONE
        export.finished_at = timezone.now()
        export.save(update_fields=["file", "status", "finished_at"])
    except Exception as error:
        # Never leave it "being written" for ever: the page then says it failed.
        logger.exception("insights: ledger export %s failed", pk)
        LedgerExport.objects.filter(pk=pk).update(
            status=LedgerExport.Status.FAILED, error=str(error)[:500], finished_at=timezone.now()
        )
    return True
