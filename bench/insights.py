"""Benchmark of insights: dashboards and ledger export at scale, on PostgreSQL.

    .venv/bin/python bench/insights.py                       # 1,000,000 concerns (the target)
    .venv/bin/python bench/insights.py --concerns 200000     # a quicker run
    DATABASE_URL=postgresql://… .venv/bin/python bench/insights.py --no-cluster

Without --no-cluster it creates its own PostgreSQL cluster (initdb as the postgres user) in
--datadir on --port, and stops it at the end (--keep leaves it running with its data).

It builds 100 communities (3 grids each) in 10 streets and 2 districts, then
`--concerns` concerns grouped into a third as many issues over the last two years, plus
meetings, action items and ratings, all with bulk INSERT … SELECT generate_series (no ORM
loop). Then it prints:

* the time to count the tallies of closed months (insights/tallies.py) as cron would;
* p50 / p95 of the whole dashboard page (HTTP through Django's test client, as a district
  officer) for a community, a street and a district, for the default period (the last twelve
  months) — target: p95 ≤ 300 ms;
* time and peak memory (peak RSS of a fresh process, and Python's own allocations) of exporting
  a district's concern register for a year — target: under 200 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), Path("/usr/bin"))

COMMUNITIES_PER_STREET = 10
STREETS_PER_DISTRICT = 5
DISTRICTS = 2
GRIDS_PER_COMMUNITY = 3
SPAN_DAYS = 730


# ---- A private PostgreSQL cluster -------------------------------------------------------


def pg(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *args], check=check, capture_output=True, text=True
    )


def start_cluster(datadir: Path, port: int) -> None:
    socket_dir = datadir.parent / f"{datadir.name}-socket"
    if not (datadir / "PG_VERSION").exists():
        if datadir.exists():
            shutil.rmtree(datadir)
        datadir.mkdir(parents=True)
        shutil.chown(datadir, "postgres", "postgres")
        pg(
            str(PG_BIN / "initdb"),
            "-D",
            str(datadir),
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "-A",
            "trust",
        )
    socket_dir.mkdir(exist_ok=True)
    shutil.chown(socket_dir, "postgres", "postgres")
    options = (
        f"-p {port} -k {socket_dir} -c listen_addresses='' -c shared_buffers=512MB "
        "-c work_mem=32MB -c maintenance_work_mem=256MB -c jit=off "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB"
    )
    running = pg(str(PG_BIN / "pg_ctl"), "-D", str(datadir), "status", check=False)
    if running.returncode != 0:
        pg(
            str(PG_BIN / "pg_ctl"), "-D", str(datadir), "-o", options,
            "-l", str(datadir / "log"), "-w", "start",
        )  # fmt: skip
    exists = pg(
        str(PG_BIN / "psql"), "-h", str(socket_dir), "-p", str(port), "-tAc",
        "SELECT 1 FROM pg_database WHERE datname='yishi_bench'",
    )  # fmt: skip
    if exists.stdout.strip() != "1":
        pg(str(PG_BIN / "createdb"), "-h", str(socket_dir), "-p", str(port), "yishi_bench")
    os.environ["DATABASE_URL"] = (
        f"postgresql://postgres@localhost:{port}/yishi_bench?host={socket_dir}"
    )


def stop_cluster(datadir: Path) -> None:
    pg(str(PG_BIN / "pg_ctl"), "-D", str(datadir), "-m", "fast", "stop", check=False)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yishi.settings")
    os.environ.setdefault("YISHI_DEBUG", "0")
    os.environ.setdefault("YISHI_SECRET_KEY", "bench-only")
    os.environ.setdefault("YISHI_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()


# ---- Building the data with bulk SQL ----------------------------------------------------


def insert_select(
    model, expressions: dict[str, str], source: str, params: list | None = None
) -> int:
    """INSERT INTO <model> (every concrete column) SELECT <expressions> FROM <source>.

    Columns without an expression get NULL or the field's default, so the benchmark keeps
    working when other apps add fields."""
    from django.db import connection

    columns, values, args = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name in expressions:
            values.append(expressions[field.name].replace("%", "%%"))
        elif field.null:
            values.append("NULL")
        elif field.get_default() is not None:
            values.append("%s")
            args.append(field.get_db_prep_value(field.get_default(), connection))
        else:
            raise SystemExit(f"bench: no value for {model.__name__}.{field.name}")
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {source.replace('%', '%%')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.rowcount


def build(concerns: int) -> dict:
    from django.db import connection, transaction

    from concerns.models import Concern
    from places.models import Area

    if Area.objects.filter(code="B1").exists():
        print("data already built; reusing it")
        return {"concerns": Concern.objects.count()}
    started = time.perf_counter()
    with transaction.atomic():
        _build(concerns)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"built in {time.perf_counter() - started:.0f} s")
    return {"concerns": concerns}


def _build(concerns: int) -> None:
    from django.db import transaction

    from accountability.models import ActionItem, Evaluation
    from accounts.models import Organisation, Role, User
    from concerns.models import Category, Concern, Issue
    from consultations.models import Meeting
    from places.models import Area

    communities, grids = [], []
    with transaction.atomic():
        for d in range(1, DISTRICTS + 1):
            district = Area.objects.create(code=f"B{d}", name=f"基准区{d}", kind=Area.Kind.DISTRICT)
            for s in range(1, STREETS_PER_DISTRICT + 1):
                street = Area.objects.create(
                    code=f"B{d}S{s}",
                    name=f"基准区{d}街道{s}",
                    kind=Area.Kind.STREET,
                    parent=district,
                )
                for c in range(1, COMMUNITIES_PER_STREET + 1):
                    community = Area.objects.create(
                        code=f"B{d}S{s}C{c}", name=f"{street.name}社区{c}",
                        kind=Area.Kind.COMMUNITY, parent=street,
                    )  # fmt: skip
                    communities.append(community.pk)
                    for g in range(1, GRIDS_PER_COMMUNITY + 1):
                        grids.append(
                            Area.objects.create(
                                code=f"{community.code}G{g}", name=f"{community.name}网格{g}",
                                kind=Area.Kind.GRID, parent=community,
                            ).pk
                        )  # fmt: skip
        company = Organisation.objects.create(name="基准物业公司", kind="property_company")
        officer = User.objects.create_user("bench_district", password="bench-password-1")
        Role.objects.create(
            user=officer, kind=Role.Kind.DISTRICT_OFFICER, area_id=Area.objects.get(code="B1").pk
        )
    categories = list(Category.objects.values_list("pk", flat=True)) or [None]
    n = len(communities)
    issues = max(concerns // 3, 1)
    comm = "ARRAY[" + ",".join(map(str, communities)) + "]::bigint[]"
    grid = "ARRAY[" + ",".join(map(str, grids)) + "]::bigint[]"
    cats = "ARRAY[" + ",".join(str(c) for c in categories) + "]::bigint[]"
    minutes = SPAN_DAYS * 24 * 60
    per = GRIDS_PER_COMMUNITY
    # Scrambled but deterministic times over the last two years.
    first = f"(now() - ((g::bigint * 7919) % {minutes}) * interval '1 minute' - interval '1 hour')"
    statuses = (
        "(ARRAY['settled','settled','settled','settled','settled','settled','settled','settled',"
        "'resolved','resolved','resolved','resolved','new','new','accepted','accepted',"
        "'in_progress','in_progress','in_consultation','in_action'])[1 + g % 20]"
    )
    with transaction.atomic():
        count = insert_select(
            Issue,
            {
                "community": f"({comm})[1 + g % {n}]",
                "grid": f"({grid})[1 + (g % {n}) * {per} + (g / {n}) % {per}]",
                "category": f"({cats})[1 + g % {len(categories)}]",
                "title": "'基准问题' || g",
                "status": statuses,
                "level": (
                    "(ARRAY['grid','grid','grid','community','street','department'])"
                    "[1 + (g / 7) % 6]"
                ),
                "residents_count": "1 + g % 9",
                "concerns_count": "3",
                "first_received_at": first,
                "last_received_at": f"{first} + interval '2 hours'",
                "accept_due_at": f"{first} + interval '24 hours'",
                "resolve_due_at": f"{first} + interval '7 days'",
                "accepted_at": (
                    f"CASE WHEN g % 20 IN (12, 13) THEN NULL "
                    f"ELSE {first} + (g % 30) * interval '1 hour' END"
                ),
                "settled_at": f"CASE WHEN g % 20 < 12 THEN {first} + interval '3 days' END",
                "created_at": first,
                "updated_at": "now()",
            },
            f"generate_series(1, {issues}) AS g",
        )
        print(f"  {count} issues")
        low = Issue.objects.order_by("pk").values_list("pk", flat=True).first()
        channels = (
            "(ARRAY['web','phone','wechat','grid_phone','letter','visit','patrol','api','import'])"
        )
        count = insert_select(
            Concern,
            {
                "tracking_code": "'B' || lpad(g::text, 10, '0')",
                "public_id": "'b' || lpad(g::text, 15, '0')",
                "issue": "i.id",
                "community": "i.community_id",
                "grid": "i.grid_id",
                "channel": f"{channels}[1 + g % 9]",
                "category": "i.category_id",
                "content": "'基准诉求' || g || '：小区环境需要改善，楼道堆放杂物，电动车飞线充电'",
                "reporter_name": "'居民' || (g % 997)",
                "phone": "'138' || lpad((g % 100000000)::text, 8, '0')",
                "address": "'基准小区' || (g % 50) || '号楼'",
                "resident_key": "'tel:138' || lpad((g % 100000000)::text, 8, '0')",
                "received_at": "i.first_received_at + (g % 3) * interval '20 minutes'",
                "created_at": "i.first_received_at",
            },
            f"generate_series(1, {concerns}) AS g "
            f"JOIN {Issue._meta.db_table} i ON i.id = {low} + (g % {issues})",
        )
        print(f"  {count} concerns")
        items = max(concerns // 30, 1)
        count = insert_select(
            ActionItem,
            {
                "community": f"({comm})[1 + g % {n}]",
                "title": "'基准挂牌事项' || g",
                "owner_organisation": str(company.pk),
                "status": (
                    "(ARRAY['listed','in_progress','done','closed','closed','closed',"
                    "'reopened'])[1 + g % 7]"
                ),
                "listed_at": first,
                "deadline": f"({first} + interval '14 days')::date",
                "closed_at": f"CASE WHEN g % 7 IN (3, 4, 5) THEN {first} + interval '10 days' END",
                "created_at": first,
                "updated_at": "now()",
            },
            f"generate_series(1, {items}) AS g",
        )
        print(f"  {count} action items")
        low_item = ActionItem.objects.order_by("pk").values_list("pk", flat=True).first()
        low_concern = Concern.objects.order_by("pk").values_list("pk", flat=True).first()
        count = insert_select(
            Evaluation,
            {
                "action_item": f"{low_item} + (g % {items})",
                "concern": f"{low_concern} + g",
                "issue": f"(SELECT issue_id FROM concerns_concern WHERE id = {low_concern} + g)",
                "community": (
                    f"(SELECT community_id FROM concerns_concern WHERE id = {low_concern} + g)"
                ),
                "resident_key": "'tel:' || g",
                "rating": "(ARRAY['satisfied','satisfied','basically','dissatisfied'])[1 + g % 4]",
                "created_at": first,
            },
            f"generate_series(1, {items * 2}) AS g",
        )
        print(f"  {count} ratings")
        count = insert_select(
            Meeting,
            {
                "title": "'基准协商议事会' || g",
                "form": (
                    "(ARRAY['council','dialogue','hearing','review','joint','three_party'])"
                    "[1 + g % 6]"
                ),
                "area": f"({comm})[1 + g % {n}]",
                "starts_at": first,
                "status": "(ARRAY['published','published','closed','announced'])[1 + g % 4]",
                "created_at": first,
                "updated_at": "now()",
            },
            f"generate_series(1, {max(concerns // 200, 1)}) AS g",
        )
        print(f"  {count} meetings")


# ---- Measuring --------------------------------------------------------------------------


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def tally(months: int = 60) -> None:
    """Count every community's closed months ahead, as cron runs `manage.py tally_insights`
    (on the first run over the data: all of them; later: only those marked stale)."""
    from insights import tallies

    started = time.perf_counter()
    counted = tallies.rollup_all(months)
    print(f"tallies: {counted} community-months counted in {time.perf_counter() - started:.1f} s")


def mark_stale(communities: int) -> None:
    """What changes to last month's issues (an acceptance, a settlement) do: their
    communities' tallies from that month on are marked stale, to be counted again."""
    import random

    from insights import tallies
    from insights.models import Version
    from places.models import Area

    chosen = random.sample(
        list(
            Area.objects.filter(
                path__startswith=Area.objects.get(code="B1").path, kind="community"
            ).values_list("pk", flat=True)
        ),
        communities,
    )
    last_month = tallies.first_of_month(tallies.current_month() - timedelta(days=1))
    Version.objects.filter(community__in=chosen, month__gte=last_month).update(
        version=tallies.stamp()
    )


def time_dashboards(runs: int, cold_runs: int) -> list[tuple[str, str, float, float]]:
    """Each dashboard page cold (figures computed: the cache was marked stale just before),
    stale (cold, and also five communities' last month changed, so their tallies are counted
    again first) and warm (figures from the cache, as for every later view until the next
    change)."""
    from django.test import Client

    from accounts.models import User
    from insights import cache

    client = Client()
    client.force_login(User.objects.get(username="bench_district"))
    results = []
    for label, code in (("community", "B1S1C1"), ("street", "B1S1"), ("district", "B1")):
        url = f"/insights/a/{code}/"
        assert client.get(url).status_code == 200  # warm PostgreSQL's buffers
        states = [("cold", cold_runs), ("warm", runs)]
        if label == "district":
            states.insert(1, ("stale", cold_runs))
        for state, count in states:
            samples = []
            for _ in range(count):
                if state == "stale":
                    mark_stale(5)
                if state in ("cold", "stale"):
                    cache.bump()
                started = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            results.append((label, state, statistics.median(samples), percentile(samples, 95)))
    return results


def export_child(code: str) -> None:
    """Run in a fresh process: export the district's concern register for the last year."""
    import resource

    setup_django()
    from django.utils import timezone

    from insights import ledgers, metrics
    from places.models import Area

    area = Area.objects.get(code=code)
    today = timezone.localdate()
    period = metrics.Period(today.replace(year=today.year - 1), today)
    rows = metrics.received_concerns(metrics.Scope.of(area), period).count()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    out = ledgers.ledger_file("concerns", area, period, reader=None)  # masked as for officers
    elapsed = time.perf_counter() - started
    size = out.seek(0, 2)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = [rows, f"{elapsed:.1f}", f"{before:.0f}", f"{peak:.0f}"]
    figures += [f"{size / 2**20:.1f}"]
    print("EXPORT", *figures)


def time_export(code: str) -> str:
    result = subprocess.run(
        [sys.executable, __file__, "--export-child", code],
        capture_output=True, text=True, env=os.environ.copy(), check=True,
    )  # fmt: skip
    line = next(x for x in result.stdout.splitlines() if x.startswith("EXPORT"))
    rows, elapsed, before, peak, size = line.split()[1:]
    return (
        f"export of district {code}'s concern register for a year: {rows} rows, "
        f"{elapsed} s, {size} MB file; peak RSS of the exporting process {peak} MB "
        f"({before} MB of it before the export began)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concerns", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40, help="warm requests per dashboard")
    parser.add_argument("--cold-runs", type=int, default=10, help="cold requests per dashboard")
    parser.add_argument("--port", type=int, default=55434)
    parser.add_argument("--datadir", type=Path, default=Path("/tmp/yishi-insights-bench"))
    parser.add_argument("--no-cluster", action="store_true", help="use DATABASE_URL as it is")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    parser.add_argument("--skip-export", action="store_true", help="time the dashboards only")
    parser.add_argument("--export-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        export_child(args.export_child)
        return
    if not args.no_cluster:
        start_cluster(args.datadir, args.port)
    try:
        setup_django()
        from django.core.management import call_command
        from django.db import connection

        assert connection.vendor == "postgresql", "the benchmark runs on PostgreSQL"
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        print(f"building {args.concerns:,} concerns …")
        build(args.concerns)
        tally()
        print("\ndashboard page for the last twelve months (target p95 ≤ 300 ms):")
        for label, state, p50, p95 in time_dashboards(args.runs, args.cold_runs):
            print(f"  {label:<10} {state}  p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
        if not args.skip_export:
            print("\n" + time_export("B1") + " (target < 200 MB)")
    finally:
        if not args.no_cluster and not args.keep:
            stop_cluster(args.datadir)


if __name__ == "__main__":
    main()
