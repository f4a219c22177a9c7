"""Benchmark of 民事民办/民评: the public board, the story page, rating and reminders.

    .venv/bin/python bench/accountability.py                 # 1,000 items on one board
    .venv/bin/python bench/accountability.py --items 5000
    DATABASE_URL=postgresql://… .venv/bin/python bench/accountability.py

Uses DATABASE_URL if set, else a fresh SQLite file in /tmp (deleted at the end). Builds one
community with `--items` action items (each with an issue of 12 residents and one progress
update, a third of them overdue), then prints p50 / p95 of the public board page and of the
story page reached by tracking code (HTTP through Django's test client), the time of one
rating through the action, and the time of `send_reminders` over every overdue item (run
twice: the second run must claim nothing).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    sqlite_file = None
    if not os.environ.get("DATABASE_URL"):
        sqlite_file = Path(f"/tmp/yishi-bench-accountability-{os.getpid()}.db")
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_file}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yishi.settings")
    os.environ.setdefault("YISHI_SMS_SENDER", "notifications.sms.MemorySender")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from accountability.models import ActionItem, ProgressUpdate
    from accountability.reminders import claim_due_reminders
    from accounts.models import Organisation
    from concerns.models import Concern, Issue
    from places.models import Area

    try:
        district = Area.objects.create(code="BD", name="基准区", kind=Area.Kind.DISTRICT)
        street = Area.objects.create(code="BS", name="基准街道", kind="street", parent=district)
        community = Area.objects.create(
            code="BC", name="基准社区", kind=Area.Kind.COMMUNITY, parent=street
        )
        org = Organisation.objects.create(name="基准责任单位", kind="utility")
        now = timezone.now()
        today = timezone.localdate()
        start = time.perf_counter()
        issues = Issue.objects.bulk_create(
            Issue(community=community, title=f"问题{n}", status="in_action", residents_count=12)
            for n in range(args.items)
        )
        Concern.objects.bulk_create(
            Concern(
                tracking_code=f"B{n:05d}{r:02d}",
                issue=issue,
                community=community,
                channel="phone",
                content="自来水发黄",
                phone=f"139{n:06d}{r:02d}",
                resident_key=f"tel:{n}:{r}",
            )
            for n, issue in enumerate(issues)
            for r in range(12)
        )
        items = ActionItem.objects.bulk_create(
            ActionItem(
                community=community,
                title=f"事项{n}",
                owner_organisation=org,
                listed_at=now - timedelta(days=60),
                deadline=today + timedelta(days=(-5 if n % 3 == 0 else 30)),
                status="in_progress",
                latest_progress="已开始",
                latest_progress_at=now,
                residents_count=12,
            )
            for n in range(args.items)
        )
        ActionItem.issues.through.objects.bulk_create(
            ActionItem.issues.through(actionitem_id=item.pk, issue_id=issue.pk)
            for item, issue in zip(items, issues, strict=True)
        )
        ProgressUpdate.objects.bulk_create(
            ProgressUpdate(action_item=item, text="已开始") for item in items
        )
        print(f"built {args.items} items in {time.perf_counter() - start:.1f} s")

        client = Client()
        board_url = f"/accountability/board/{community.code}/"
        assert client.get(board_url).status_code == 200
        p50, p95 = timed(lambda: client.get(board_url), args.runs)
        print(f"public board, {args.items} items: p50 {p50:.0f} ms, p95 {p95:.0f} ms")

        story_url = "/accountability/story/code/B0000000/"

        def story() -> None:
            from django.core.cache import cache

            cache.clear()  # the per-address limit would stop a benchmark
            assert client.get(story_url).status_code == 200

        p50, p95 = timed(story, args.runs)
        print(f"story page by tracking code: p50 {p50:.0f} ms, p95 {p95:.0f} ms")

        from accountability import actions

        item = items[1]
        ActionItem.objects.filter(pk=item.pk).update(status="done")
        item.refresh_from_db()
        start = time.perf_counter()
        for r in range(12):
            actions.rate_item(item, tracking_code=f"B{1:05d}{r:02d}", rating="satisfied")
        print(f"rating: {(time.perf_counter() - start) * 1000 / 12:.1f} ms each (with delivery)")

        start = time.perf_counter()
        first = claim_due_reminders()
        took = time.perf_counter() - start
        second = claim_due_reminders()
        print(
            f"send_reminders: {len(first)} claimed in {took:.1f} s; second run claimed "
            f"{len(second)}"
        )
        assert not second
        out = io.StringIO()
        call_command("send_reminders", stdout=out)
        print(f"send_reminders command again: {out.getvalue().strip()}")
    finally:
        if sqlite_file is not None:
            sqlite_file.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
