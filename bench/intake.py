"""Benchmark of 民事民提 intake: submitting concerns with grouping, against a bare insert.

    .venv/bin/python bench/intake.py                         # 1,000,000 concerns (the target)
    .venv/bin/python bench/intake.py --concerns 200000       # a quicker run
    .venv/bin/python bench/intake.py --database-url postgresql://user@host:port/db
    .venv/bin/python bench/intake.py --grouping-only                # issue 17's figures
    .venv/bin/python bench/intake.py --grouping-only --sqlite /tmp/crowd.sqlite3
    .venv/bin/python bench/intake.py --grouping-only --code /tmp/before   # another checkout

Without --database-url it makes its own PostgreSQL cluster (initdb as the postgres user) in
--datadir on --port and stops it at the end. The database is emptied and rebuilt.

1. Builds 100 communities (2 grids, 2 compounds each) and their issues and concerns with bulk
   INSERT … SELECT generate_series: first 10,000 concerns, then `--concerns`. Each community
   keeps `--open-issues` open issues; the rest of its history is settled (a community's open
   matters do not grow with its years of history — that is what the grouping relies on).
2. Measures the grouping step alone in this process for a sample of messages: reading the
   text (concerns.intake.model), the district's term counts (one read), the candidates from
   the term index (one statement), their probabilities. At 10,000 concerns and at the full
   size; then in one crowded community of its own district holding 1,000, 10,000 and 100,000
   open issues (`--crowd-sizes`), each a matter at a place of its own ("<name>路" + one of the
   messages), filed in the term index as the intake files them (bench/crowd.py: the step is
   the candidates + the model's decision, p50 / p95 / max over `--repeat` runs, its parts,
   the CPU per message of this process and the database's backend, and how often a
   message's own issue is among its candidates).
3. Starts gunicorn (2 workers) serving the app plus a bare view that inserts one row, and
   drives them with 16 concurrent clients: POST /api/v1/concerns (anonymous resident submits,
   rate limits on but generous, notifications deferred to `send_notifications` as README's
   production set-up has them), POST /bench/bare, and POST /bench/ninja/concerns — the same
   one-row insert behind django-ninja with the API's own body and answer schemas, which
   tells the cost of the API machinery from the cost of the submit itself.
   - Throughput: each client sends again as soon as it is answered. Prints submits per second
     and their ratio, and the CPU milliseconds per request spent in the gunicorn workers, in
     PostgreSQL and in the load itself. Its latencies are queueing: with 16 requests always
     in flight, mean latency = 16 / throughput (Little's law), whatever the server does.
   - Latency: the 16 clients send at random moments at `--load` (default half) of the API's
     measured throughput, timed from when each request was due; p50 / p95 for both endpoints.
   - The workers' memory (RSS, peak RSS), and the cost of sending the deferred messages.

Targets (issue 3): ratio ≥ 50 %; p95 ≤ 50 ms; grouping at full size ≤ 1.5 × at 10,000;
worker memory ≤ 250 MB. Issue 17: the grouping step's p95 ≤ 2 ms with 10,000 open issues in one
community, and its cost at 100,000 open issues ≤ 1.5 × at 1,000; submit throughput no lower
than before in its ratio to the bare insert. `--grouping-only` measures the crowded community
alone, and then the submit (`submit_concern`) against a bare one-row insert in this process,
in alternating rounds (no 1,000,000-concern history, no HTTP); it runs on SQLite too
(`--sqlite`), and `--code` measures another checkout's code with this script, for a before and
after in one sitting. Figures depend on the machine: two cores here are shared by the server,
PostgreSQL and the 16 client threads; on a loaded machine the wall-clock figures of a
few-millisecond step are the waits for a core, and the CPU per message is the figure to
compare.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import crowd  # noqa: E402
from bench.crowd import MESSAGES  # noqa: E402

COMMUNITIES = 100
CLIENTS = 16

# ---- A private PostgreSQL cluster


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    return found[-1] if found else Path("/usr/bin")


def _as_postgres(*args: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True)


def start_cluster(datadir: Path, port: int) -> str:
    bin_dir = _pg_bin()
    if not (datadir / "PG_VERSION").exists():
        datadir.mkdir(parents=True, exist_ok=True)
        shutil.chown(datadir, "postgres", "postgres")
        _as_postgres(
            str(bin_dir / "initdb"),
            "-D",
            str(datadir),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
    options = (
        f"-p {port} -k {datadir} -c listen_addresses=127.0.0.1 -c shared_buffers=512MB "
        "-c max_connections=60"
    )
    _as_postgres(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(datadir),
        "-o",
        options,
        "-l",
        str(datadir / "server.log"),
        "-w",
        "start",
    )
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def stop_cluster(datadir: Path) -> None:
    _as_postgres(str(_pg_bin() / "pg_ctl"), "-D", str(datadir), "-m", "fast", "stop")


# ---- Building the data


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yishi.settings")
    import django

    django.setup()


def recreate_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)


def build_places() -> list[int]:
    from places.models import Area, Building, Compound

    district = Area.objects.create(code="BD", name="基准区", kind=Area.Kind.DISTRICT)
    street = Area.objects.create(
        code="BDS", name="基准街道", kind=Area.Kind.STREET, parent=district
    )
    ids = []
    for c in range(1, COMMUNITIES + 1):
        community = Area.objects.create(
            code=f"BC{c:03d}", name=f"基准{c}社区", kind=Area.Kind.COMMUNITY, parent=street
        )
        ids.append(community.pk)
        for g in (1, 2):
            grid = Area.objects.create(
                code=f"BC{c:03d}G{g}",
                name=f"基准{c}社区{g}网格",
                kind=Area.Kind.GRID,
                parent=community,
            )
            compound = Compound.objects.create(name=f"基准{c}-{g}小区", grid=grid)
            Building.objects.bulk_create(
                Building(compound=compound, name=f"{n}号楼") for n in range(1, 11)
            )
    return ids


def build_history(total: int, open_per_community: int) -> float:
    """(Re)build `total` concerns over the communities, 5 per issue, with bulk SQL."""
    from django.db import connection

    from concerns.intake import model

    started = time.perf_counter()
    readings = [model.read(m) for m in MESSAGES]
    terms = [model.fold("", r) for r in readings]
    per_community = max(5, total // COMMUNITIES)
    issues_per_community = per_community // 5
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE concerns_photo, concerns_concern, concerns_issue, concerns_issuekey, "
            "concerns_termcount, concerns_groupinglabel, timeline_event CASCADE"
        )
        cur.execute("SELECT min(id) FROM places_area WHERE code LIKE 'BC%%' AND kind='community'")
        first_community = cur.fetchone()[0]
        cur.execute(
            """
            INSERT INTO concerns_issue (id, community_id, grid_id, category_id, title, summary,
                status, level, residents_count, concerns_count, first_received_at,
                last_received_at, accept_due_at, resolve_due_at, accepted_at, settled_at,
                outcome, escalation_reason, terms, created_at, updated_at)
            SELECT i,
                   c.id, NULL, NULL,
                   (%(titles)s::text[])[1 + (i %% %(m)s)], '',
                   CASE WHEN (i - 1) %% %(ipc)s >= %(ipc)s - %(open)s THEN 'accepted'
                        ELSE 'settled' END,
                   'community', 5, 5,
                   now() - ((%(ipc)s - (i - 1) %% %(ipc)s) || ' hours')::interval,
                   now() - ((%(ipc)s - (i - 1) %% %(ipc)s) || ' hours')::interval,
                   now() + interval '1 day', now() + interval '7 days', now(), NULL,
                   '', '', (%(terms)s::text[])[1 + (i %% %(m)s)], now(), now()
            FROM generate_series(1, %(n)s) AS i
            JOIN places_area c ON c.id = %(first)s + ((i - 1) / %(ipc)s) * 3
            """,
            {
                "titles": MESSAGES,
                "terms": terms,
                "m": len(MESSAGES),
                "ipc": issues_per_community,
                "open": min(open_per_community, issues_per_community),
                "n": issues_per_community * COMMUNITIES,
                "first": first_community,
            },
        )
        cur.execute(
            """
            INSERT INTO concerns_concern (id, tracking_code, issue_id, community_id, grid_id,
                compound_id, building_id, channel, category_id, urgency, content,
                reporter_name, phone, address, resident_key, household_key,
                grouping_confirmed, similarity, received_at, created_by_id, idempotency_key,
                created_at, public_id)
            SELECT n, 'X' || lpad(n::text, 9, '0'), iss.id, iss.community_id, NULL, NULL, NULL,
                   'web', NULL, 'normal', iss.title, '',
                   (13000000000 + n)::text, '', 'tel:' || (13000000000 + n)::text, '',
                   false, NULL, iss.first_received_at, NULL, NULL, iss.first_received_at,
                   'x' || lpad(n::text, 15, '0')
            FROM generate_series(1, %(total)s) AS n
            JOIN concerns_issue iss ON iss.id = 1 + (n - 1) / 5
            """,
            {"total": issues_per_community * COMMUNITIES * 5},
        )
        # The open issues in the term index, under their message's keys, as the intake files
        # them; the district's term counts as if each concern had been counted on its submit.
        keys, which = [], []
        for n, reading in enumerate(readings):
            for key in model.index_keys(reading):
                keys.append(key[:64])
                which.append(n)
        cur.execute(
            """
            INSERT INTO concerns_issuekey (community_id, key, issue_id)
            SELECT i.community_id, k.key, i.id FROM concerns_issue i
            JOIN unnest(%(keys)s::text[], %(which)s::int[]) AS k(key, m) ON k.m = i.id %% %(m)s
            WHERE i.status = 'accepted' ON CONFLICT DO NOTHING
            """,
            {"keys": keys, "which": which, "m": len(MESSAGES)},
        )
        issues = issues_per_community * COMMUNITIES
        counts: dict[str, int] = {"": issues * 5}
        for n, reading in enumerate(readings):
            # issues i = 1 … N carry message i % len(MESSAGES)
            share = (issues - n) // len(MESSAGES) + 1 if n else issues // len(MESSAGES)
            for term in model.document_terms(reading):
                counts[term[:64]] = counts.get(term[:64], 0) + 5 * share
        cur.execute(
            """
            INSERT INTO concerns_termcount (district_id, term, documents)
            SELECT (SELECT id FROM places_area WHERE code = 'BD'), t.term, t.n
            FROM unnest(%(terms)s::text[], %(counts)s::int[]) AS t(term, n)
            """,
            {"terms": list(counts), "counts": list(counts.values())},
        )
        for table in ("concerns_issue", "concerns_concern"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    with connection.cursor() as cur:
        cur.execute("ANALYZE concerns_issue")
        cur.execute("ANALYZE concerns_concern")
        cur.execute("ANALYZE concerns_issuekey")
    return time.perf_counter() - started


def check_layout() -> tuple[int, int]:
    from concerns.models import Concern, Issue

    return Concern.objects.count(), Issue.objects.filter(status__in=Issue.OPEN_STATUSES).count()


# ---- The grouping step alone


def grouping_step(community, text: str) -> float:
    """One message through the grouping step as a submit runs it, up to the decision: the
    best candidate's probability. The writes that follow (the join, the insert, the index
    keys and the term counts) are the submit's, measured over HTTP."""
    from concerns.intake import model, store, submit

    reading = model.read(text, store.place_names(community))
    counts = store.term_counts(store.district_id(community), model.document_terms(reading))
    weights = model.idf(*counts)
    keys = model.lookup_keys(reading, weights)
    if hasattr(submit, "decision_candidates"):  # as the submit reads them
        rows = submit.decision_candidates(community.pk, keys, weights)
    else:  # an earlier checkout's (--code)
        rows = store.candidates(community.pk, keys, weights=model.key_weights(keys, weights))
    return max((model.probability(reading, row[2], weights) for row in rows), default=0.0)


def grouping_cost(
    samples: int, community_code: str | None = None, places: list[str] | None = None
) -> dict[str, float]:
    """Milliseconds per message for the grouping step (grouping_step), in this process."""
    from concerns.intake import store
    from places.models import Area

    communities = list(Area.objects.filter(code__startswith="BC", kind="community"))
    if community_code:
        communities = list(Area.objects.filter(code=community_code, kind="community"))
    rng = random.Random(7)
    for community in communities:
        store.place_names(community)  # the per-process place cache, as in a warm worker
        store.district_id(community)

    def message() -> str:
        text = rng.choice(MESSAGES) + rng.choice(["", "！", "，麻烦管管", "，好几天了"])
        return (rng.choice(places) + text) if places else text

    for _ in range(50):  # warm, as a running worker would be
        grouping_step(rng.choice(communities), message())
    timings = []
    for _ in range(samples):
        community, text = rng.choice(communities), message()
        started = time.perf_counter()
        grouping_step(community, text)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "mean": statistics.fmean(timings),
        "p50": timings[len(timings) // 2],
        "p95": timings[int(len(timings) * 0.95)],
    }


def crowd_cost(sizes: list[int], samples: int, repeat: int) -> dict[int, list]:
    """The grouping step in the crowded community at each of `sizes` open issues, measured
    `repeat` times."""
    steps: dict[int, list] = {}
    built = 0
    for size in sorted(sizes):
        built, took = crowd.build_crowd(size, built)
        print(f"crowded community: {size:,} open issues (built in {took:.1f} s)", flush=True)
        steps[size] = [crowd.step_cost(size, samples, seed) for seed in range(repeat)]
    return steps


# ---- The server: the app plus one bare view


def bare_insert(request):  # runs inside the gunicorn workers
    """One JSON body in, one row out: the floor any submit endpoint stands on."""
    from django.db import connection
    from django.http import JsonResponse

    body = json.loads(request.body or b"{}")
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO bench_bare (community, content, phone) VALUES (%s, %s, %s) RETURNING id",
            [body.get("community", ""), body.get("content", ""), body.get("phone", "")],
        )
        row = cur.fetchone()
    return JsonResponse({"id": row[0]}, status=201)


def _ninja_floor():
    """The bare insert behind the API's own machinery: django-ninja parsing and validating
    the same body (ConcernIn), and answering in the same shape (ConcernCreated). What is
    left between this and POST /api/v1/concerns is the submit itself."""
    from django.db import connection
    from ninja import NinjaAPI
    from ninja.responses import Status

    from concerns.api import ConcernCreated, ConcernIn

    api = NinjaAPI(urls_namespace="bench-floor", docs_url=None)

    def submit(request, payload):
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO bench_bare (community, content, phone) VALUES (%s, %s, %s) "
                "RETURNING id",
                [payload.community, payload.content, payload.phone],
            )
            row = cur.fetchone()
        issue = {"id": row[0], "residents_count": 1, "status": "new", "title": ""}
        return Status(201, {"id": "bench", "tracking_code": "BENCH000", "issue": issue})

    # Set by hand: this module's annotations are strings (`from __future__ import annotations`)
    # naming a class imported here, which ninja would not find.
    submit.__annotations__ = {"payload": ConcernIn}
    api.post("/concerns", auth=None, response={201: ConcernCreated})(submit)
    return api


def _server_urls():
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    return [
        path("bench/bare", csrf_exempt(bare_insert)),
        path("bench/ninja/", _ninja_floor().urls),
        path("", include("yishi.urls")),
    ]


if os.environ.get("YISHI_BENCH_SERVER"):
    # Imported by gunicorn: this module is the URLconf, and `application` the WSGI app.
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    from django.conf import settings as _settings

    _settings.ROOT_URLCONF = "bench.intake"
    urlpatterns = _server_urls()
    from concerns.intake import model as _model

    _model.read("自来水发黄")  # the model's dictionaries once per worker, not on the first request


def start_server(
    database_url: str, port: int, workers: int, threads: int, defer: bool = True
) -> subprocess.Popen:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, community text, "
            "content text, phone text, created_at timestamptz DEFAULT now())"
        )
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="yishi.settings",
        YISHI_BENCH_SERVER="1",
        YISHI_DEBUG="0",
        YISHI_SECRET_KEY="bench-only",
        YISHI_ALLOWED_HOSTS="127.0.0.1,localhost",
        YISHI_CONCERN_SUBMIT_PER_IP="100000000",
        YISHI_CONCERN_SUBMIT_PER_PHONE="1000",
        # Behind a reverse proxy many residents arrive from many addresses: the load client
        # (on 127.0.0.1) plays the proxy and names each resident in X-Forwarded-For.
        YISHI_TRUSTED_PROXIES="127.0.0.1",
        # Long-lived connections, as behind a pool: none is reopened during a run.
        YISHI_DB_CONN_MAX_AGE="3600",
        # As README's production set-up: SMS and mail go out from `send_notifications`.
        YISHI_NOTIFICATIONS_DEFER="1" if defer else "0",
        PYTHONPATH=str(ROOT),
    )
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "bench.intake:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "256",
        "--log-level",
        "warning",
    ]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / "yishi-bench-intake-server.log", "ab")  # noqa: SIM115
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log
    )
    deadline = time.time() + 120  # a loaded machine loads the model slowly
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/concerns/track/")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not start")


def worker_memory(server: subprocess.Popen) -> list[tuple[int, float, float]]:
    """(pid, RSS MB, peak RSS MB) of each worker (children of the gunicorn master)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(server.pid):
            rss = int(fields["VmRSS"].split()[0]) / 1024
            peak = int(fields["VmHWM"].split()[0]) / 1024
            found.append((int(status.parent.name), rss, peak))
    return sorted(found)


# ---- The load


def drive(
    port: int,
    path: str,
    requests: int,
    make_body,
    idempotent: bool = False,
    rate: float | None = None,
) -> dict:
    """`requests` POSTs from CLIENTS threads; latency per request, throughput overall.

    Without `rate` each client sends its next request as soon as the last one is answered
    (a closed loop: it finds the throughput, and the latency is then mostly queueing: with
    16 requests always in flight, mean latency = 16 / throughput). With `rate` (requests per
    second, all clients together) each client sends at random (Poisson) moments at its share
    of that rate, and latency counts from the moment a request was due, so a slow answer that
    delays the next request still shows in the figures (no coordinated omission)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(requests))

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        due = time.perf_counter() + (rng.expovariate(rate / CLIENTS) if rate else 0.0)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            body = json.dumps(make_body(rng, n)).encode()
            headers = {"Content-Type": "application/json", "X-Forwarded-For": f"10.{n % 250}.0.1"}
            if idempotent and n % 2:
                headers["Idempotency-Key"] = f"bench-{seed}-{n}-{time.time_ns()}"
            if rate:
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                started = due
                due += rng.expovariate(rate / CLIENTS)
            else:
                started = time.perf_counter()
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / wall,
        "p50": latencies[len(latencies) // 2],
        "p95": latencies[int(len(latencies) * 0.95)],
        "statuses": statuses,
    }


# ---- Where the CPU goes: the workers, the database, the load itself


def _cpu_seconds(match) -> float:
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (
                (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="ignore")
            )
        except OSError:
            continue
        if match(int(stat.parent.name), command):
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(server: subprocess.Popen, database: str) -> dict[str, float]:
    """CPU seconds used so far by the gunicorn workers, the PostgreSQL backends serving the
    benchmark's database, and this process (the 16 client threads)."""
    workers = {pid for pid, _rss, _peak in worker_memory(server)}
    times = os.times()
    return {
        "server": _cpu_seconds(lambda pid, cmd: pid in workers),
        "database": _cpu_seconds(lambda pid, cmd: cmd.startswith("postgres") and database in cmd),
        "clients": times.user + times.system,
    }


def concern_body(rng: random.Random, n: int) -> dict:
    return {
        "community": f"BC{rng.randint(1, COMMUNITIES):03d}",
        "content": rng.choice(MESSAGES) + rng.choice(["", "！", "，麻烦管管", "，好几天了"]),
        "phone": f"15{rng.randint(0, 999999999):09d}",
        "address": f"{rng.randint(1, 6)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}",
    }


# ---- Main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concerns", type=int, default=1_000_000)
    parser.add_argument("--open-issues", type=int, default=20, help="open issues per community")
    parser.add_argument("--requests", type=int, default=3000, help="POSTs per endpoint")
    parser.add_argument("--samples", type=int, default=1000, help="grouping samples")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help=">1 uses gthread workers")
    parser.add_argument("--database-url", help="an existing PostgreSQL server (admin URL)")
    parser.add_argument("--datadir", default="/tmp/yishi-bench-intake/data")
    parser.add_argument("--pg-port", type=int, default=55433)
    parser.add_argument("--http-port", type=int, default=18733)
    parser.add_argument(
        "--crowd-sizes",
        default="1000,10000,100000",
        help="open issues of the crowded community, comma-separated",
    )
    parser.add_argument(
        "--grouping-only",
        action="store_true",
        help="measure the grouping step in the crowded community, and the submit against a bare "
        "insert in this process (no 1,000,000-concern history, no HTTP)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each grouping figure")
    parser.add_argument(
        "--submits",
        type=int,
        default=600,
        help="--grouping-only: submits (and as many bare inserts) at the largest crowd size; "
        "0 skips them",
    )
    parser.add_argument(
        "--sqlite",
        metavar="FILE",
        help="--grouping-only on SQLite: this database file, made anew (no PostgreSQL)",
    )
    parser.add_argument(
        "--by-count",
        action="store_true",
        help="--grouping-only: rank the candidates by the number of keys they share instead "
        "of their weight (model.key_weights, as the submit does), for how often a message's "
        "own issue is found",
    )
    parser.add_argument(
        "--code",
        metavar="DIR",
        help="measure the code of another checkout (say an earlier commit's, `git worktree "
        "add` or `git archive`) with this script, for a before/after in one sitting",
    )
    parser.add_argument(
        "--http-only",
        action="store_true",
        help="reuse the database of an earlier run and measure only the HTTP part",
    )
    parser.add_argument(
        "--inline-notifications",
        action="store_true",
        help="send SMS inside the request (YISHI_NOTIFICATIONS_DEFER=0) instead of from "
        "send_notifications as in production",
    )
    parser.add_argument(
        "--load",
        type=float,
        default=0.5,
        help="the offered load of the latency run, as a share of the API's measured throughput",
    )
    args = parser.parse_args()
    crowd.BY_COUNT = args.by_count
    if args.code:
        # Before anything of the app is imported: its modules come from that checkout.
        sys.path.insert(0, str(Path(args.code).resolve()))
    sizes = [int(n) for n in args.crowd_sizes.split(",") if n.strip()]
    if args.sqlite:
        database = Path(args.sqlite).resolve()
        database.unlink(missing_ok=True)
        setup_django(f"sqlite:///{database}")
        migrate()
        print(f"SQLite: {database}")
        run_crowd(args, sizes)
        return

    datadir = Path(args.datadir)
    own_cluster = not args.database_url
    admin_url = start_cluster(datadir, args.pg_port) if own_cluster else args.database_url
    try:
        if args.http_only:
            url = admin_url.rsplit("/", 1)[0] + "/yishi_bench_intake"
            setup_django(url)
            run_http(args, url)
            return
        url = recreate_database(admin_url, "yishi_bench_intake")
        setup_django(url)
        migrate()
        print(f"PostgreSQL: {url}")
        if args.grouping_only:
            run_crowd(args, sizes)
            return
        build_places()
        run_history(args)
        run_crowd(args, sizes, submits=0)
        run_http(args, url)
    finally:
        if own_cluster:
            stop_cluster(datadir)


def run_crowd(args: argparse.Namespace, sizes: list[int], submits: int | None = None) -> None:
    from django.db import connection

    print(f"code: {Path(sys.modules['concerns'].__path__[0]).parent}  ({connection.vendor})")
    steps = crowd_cost(sizes, args.samples, args.repeat)
    crowd.print_steps(steps, crowd.load_average())
    submits = args.submits if submits is None else submits
    if submits:
        largest = max(sizes)
        figures = crowd.submit_against_bare(largest, submits, max(3, args.repeat))
        crowd.print_throughput({largest: figures}, crowd.load_average())


def run_history(args: argparse.Namespace) -> None:
    """The grouping step over the 100 communities at 10,000 concerns and at --concerns."""
    small = build_history(10_000, args.open_issues)
    count, open_count = check_layout()
    print(f"built {count:,} concerns ({open_count:,} open issues) in {small:.1f} s")
    cost_small = grouping_cost(args.samples)

    large = build_history(args.concerns, args.open_issues)
    count, open_count = check_layout()
    print(f"built {count:,} concerns ({open_count:,} open issues) in {large:.1f} s")
    cost_large = grouping_cost(args.samples)
    print("\nGrouping step alone (read + term counts + candidates + probabilities), ms/message:")
    for label, cost in (("10,000 concerns", cost_small), (f"{count:,} concerns", cost_large)):
        print(
            f"  {label:<46} mean {cost['mean']:6.2f}  p50 {cost['p50']:6.2f}  "
            f"p95 {cost['p95']:6.2f}"
        )
    ratio = cost_large["mean"] / cost_small["mean"]
    print(f"  ratio at full size / at 10,000 (mean): {ratio:.2f}  (target ≤ 1.5)")


def run_http(args: argparse.Namespace, url: str) -> None:
    from django.db import connection, connections

    with connection.cursor() as cur:
        cur.execute("SHOW synchronous_commit")
        sync = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM concerns_concern")
        existing = cur.fetchone()[0]
    connections.close_all()
    print(f"\n{existing:,} concerns in the database; PostgreSQL synchronous_commit={sync}")
    defer = not args.inline_notifications
    server = start_server(url, args.http_port, args.workers, args.threads, defer)
    database = url.rsplit("/", 1)[1]
    endpoints = (
        ("bare", "/bench/bare", "bare insert view"),
        ("ninja", "/bench/ninja/concerns", "bare insert via ninja"),
        ("api", "/api/v1/concerns", "POST /api/v1/concerns"),
    )
    try:
        # Warm both endpoints (connections, caches), then measure them in turn, twice.
        for _name, path, _label in endpoints:
            drive(args.http_port, path, 100, concern_body, idempotent=True)
        half = max(1, args.requests // 2)
        runs: dict[str, list[dict]] = {name: [] for name, _path, _label in endpoints}
        cpu: dict[str, dict[str, float]] = {name: {} for name, _path, _label in endpoints}
        for _ in range(2):
            for name, path, _label in endpoints:
                before = cpu_snapshot(server, database)
                runs[name].append(drive(args.http_port, path, half, concern_body, idempotent=True))
                after = cpu_snapshot(server, database)
                for key, value in after.items():
                    cpu[name][key] = cpu[name].get(key, 0.0) + value - before[key]
        memory = worker_memory(server)

        print(
            f"\nHTTP, gunicorn {args.workers} workers"
            f"{f' × {args.threads} threads' if args.threads > 1 else ''}, {CLIENTS} clients, "
            f"{2 * half} POSTs each, notifications {'deferred' if defer else 'sent inline'}."
        )
        print("Throughput: each client sends again as soon as it is answered (closed loop):")
        summary = {}
        for name, _path, label in endpoints:
            rps = statistics.fmean(r["rps"] for r in runs[name])
            p50 = statistics.fmean(r["p50"] for r in runs[name])
            p95 = statistics.fmean(r["p95"] for r in runs[name])
            statuses: dict[int, int] = {}
            for r in runs[name]:
                for k, v in r["statuses"].items():
                    statuses[k] = statuses.get(k, 0) + v
            summary[name] = rps
            print(
                f"  {label:<24} {rps:7.1f} submits/s  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
                f"statuses {statuses}"
            )
        print(
            f"  ratio (with grouping / bare): {summary['api'] / summary['bare']:.0%}"
            "  (target ≥ 50 %);"
            f" through ninja / bare: {summary['ninja'] / summary['bare']:.0%},"
            f" with grouping / through ninja: {summary['api'] / summary['ninja']:.0%}"
        )
        print("CPU per request (ms), where the two cores went:")
        for name, _path, label in endpoints:
            parts = "  ".join(f"{k} {1000 * v / (2 * half):5.2f}" for k, v in cpu[name].items())
            total = 1000 * sum(cpu[name].values()) / (2 * half)
            print(f"  {label:<24} {parts}  total {total:5.2f}")

        rate = args.load * summary["api"]
        print(
            f"Latency at {rate:.1f} requests/s offered ({args.load:.0%} of the API's throughput), "
            f"{CLIENTS} clients sending at random moments, timed from when each was due:"
        )
        for _name, path, label in endpoints:
            paced = drive(args.http_port, path, max(200, half // 2), concern_body, True, rate)
            print(
                f"  {label:<24} p50 {paced['p50']:6.1f} ms  p95 {paced['p95']:6.1f} ms  "
                f"(target p95 ≤ 50 ms)  statuses {paced['statuses']}"
            )
        for pid, rss, peak in memory:
            print(f"  worker {pid}: RSS {rss:.0f} MB, peak {peak:.0f} MB  (target ≤ 250 MB)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if defer:
        send_waiting(url)


def send_waiting(url: str) -> None:
    """What deferring costs: `send_notifications` planning the events the run left in the
    timeline's outbox and sending their messages (CPU of the job and of PostgreSQL)."""
    from notifications.models import Delivery
    from timeline.models import Event

    waiting = Event.objects.filter(dispatched=False).count()
    if not waiting:
        return
    before = Delivery.objects.filter(status=Delivery.Status.SENT).count()
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="yishi.settings")
    started = time.perf_counter()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    job = subprocess.run(
        [sys.executable, "manage.py", "send_notifications"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - children.ru_utime - children.ru_stime
    sent = Delivery.objects.filter(status=Delivery.Status.SENT).count() - before
    print(
        f"send_notifications afterwards: {waiting:,} events planned, {sent:,} messages sent in "
        f"{elapsed:.1f} s, {1000 * cpu / waiting:.2f} ms of the job's CPU per event (start-up "
        f"included; {job.stdout.decode().strip()})"
    )


if __name__ == "__main__":
    main()
