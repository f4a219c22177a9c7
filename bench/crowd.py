"""The grouping step and the submit in one crowded community, on PostgreSQL or SQLite.

Used by `bench/intake.py --grouping-only` (how to run it is in its docstring). One community
of its own district (BX001 in BXD) holds 1,000, then 10,000, then 100,000 open issues; issue n
is message n % 20 at a road of its own (n // 20), its profile and its keys in the term index
made by the model as the intake makes them, the district's term counts as if each issue had
been one submit. At each size:

- **the grouping step alone**, in this process, for `samples` messages (a road of the
  community + one of the messages): the candidate lookup through the term index
  (`store.candidates`, one statement) and the model's decision over the candidates
  (`model.decide`), timed together as "step"; beside it, what the submit does before it and
  is not grouping (reading the text with `model.read`; the district's term counts, one
  statement), timed apart. p50 / p95 / max, each size measured `repeat` times;
- **the submit against a bare insert**, in this process: `submit_concern` into the crowded
  community (joining or opening, its index keys and term counts, its events, one commit)
  against a one-row INSERT (one commit), in alternating rounds, so that a change of the
  machine's speed falls on both alike.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# Messages residents send, in their own words; the generator and the load both use them.
MESSAGES = [
    "家里自来水发黄，没法用",
    "水龙头放出来是黄水，好几天了",
    "楼上半夜装修太吵，睡不着",
    "小区里电动车骑得飞快，太危险",
    "电瓶车在楼道里飞线充电",
    "楼道里堆满杂物，过不去人",
    "门口商铺把货物堆到门外跨门经营",
    "宠物医院门口狗粪便没人清理",
    "垃圾桶满了好几天没人清运，很臭",
    "路灯坏了，晚上黑灯瞎火",
    "电梯又坏了，把人困在里面",
    "暖气不热，家里才十五度",
    "下水道堵了，污水往外冒",
    "广场舞音响太吵，晚上十点还在跳",
    "小区绿地的围栏倒了",
    "消防通道被私家车堵住了",
    "健身器材坏了，孩子玩很危险",
    "楼上漏水到我家，邻居不管",
    "物业保安不在岗，外人随便进",
    "地下车库积水，车开不进去",
]
ENDINGS = ["", "！", "，麻烦管管", "，好几天了"]

# Characters of the crowded community's made-up road names: two of them and 路, each road its
# own place to the model (which reads a road as the two characters before 路: with three,
# roads sharing their last two were one place), 77 × 77 of them.
_NAME_CHARS = (
    "安福康乐和平兴华东西南北长青新民建光明德仁义春秋金银丰泰永宁盛昌隆庆祥瑞嘉宏鸿运"
    "红黄绿白松柏桂兰梅竹菊荷花园林山川河湖海江溪泉石玉珠宝文武英雄忠信礼智勤俭"
)


def crowd_place(n: int) -> str:
    k = len(_NAME_CHARS)
    return f"{_NAME_CHARS[n // k % k]}{_NAME_CHARS[n % k]}路"


CROWD = "BX001"
BATCH = 5000
# --by-count: candidates ranked by the number of keys they share instead of their weight
# (model.key_weights, as the submit ranks them), to compare how often a message's own issue is
# among them.
BY_COUNT = False


def _postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def crowd_community() -> Any:
    from places.models import Area

    K = Area.Kind
    district, _ = Area.objects.get_or_create(
        code="BXD", defaults={"name": "拥挤区", "kind": K.DISTRICT}
    )
    street, _ = Area.objects.get_or_create(
        code="BXS", defaults={"name": "拥挤街道", "kind": K.STREET, "parent": district}
    )
    community, _ = Area.objects.get_or_create(
        code=CROWD, defaults={"name": "拥挤社区", "kind": K.COMMUNITY, "parent": street}
    )
    return community


def _insert_batch_postgres(cur: Any, community: int, batch: dict[str, list]) -> None:
    cur.execute(
        """
        WITH new AS (
            INSERT INTO concerns_issue (community_id, title, summary, status, level,
                residents_count, concerns_count, first_received_at, last_received_at,
                accept_due_at, resolve_due_at, outcome, escalation_reason, terms,
                created_at, updated_at, public_title, story_token)
            SELECT %(community)s, t.title, '', 'accepted', 'community', 1, 1, now(),
                   now(), now() + interval '1 day', now() + interval '7 days', '', '',
                   t.terms, now(), now(), '', NULL
            FROM unnest(%(titles)s::text[], %(terms)s::text[])
                 WITH ORDINALITY AS t(title, terms, n)
            ORDER BY t.n
            RETURNING id
        ), numbered AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM new)
        INSERT INTO concerns_issuekey (community_id, key, issue_id)
        SELECT %(community)s, k.key, numbered.id
        FROM unnest(%(keys)s::text[], %(index)s::int[]) AS k(key, n)
        JOIN numbered ON numbered.n = k.n
        """,
        {"community": community, **batch},
    )


def _insert_batch_sqlite(cur: Any, community: int, batch: dict[str, list]) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from concerns.models import Issue

    now = timezone.now()
    issues = Issue.objects.bulk_create(
        [
            Issue(
                community_id=community,
                title=title,
                status="accepted",
                level="community",
                residents_count=1,
                concerns_count=1,
                first_received_at=now,
                last_received_at=now,
                accept_due_at=now + timedelta(days=1),
                resolve_due_at=now + timedelta(days=7),
                terms=terms,
                story_token=None,
            )
            for title, terms in zip(batch["titles"], batch["terms"], strict=True)
        ]
    )
    ids = [issue.pk for issue in issues]
    cur.executemany(
        "INSERT INTO concerns_issuekey (community_id, key, issue_id) VALUES (%s, %s, %s)",
        [(community, k, ids[n]) for k, n in zip(batch["keys"], batch["index"], strict=True)],
    )


def build_crowd(total: int, built: int) -> tuple[int, float]:
    """Give the crowded community `total` open issues, adding to the `built` it has."""
    from django.db import connection, transaction

    from concerns.intake import model

    started = time.perf_counter()
    community = crowd_community()
    district = community.parent.parent_id
    messages = [model.read(m) for m in MESSAGES]
    places: dict[int, Any] = {}
    insert = _insert_batch_postgres if _postgres() else _insert_batch_sqlite
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "SELECT term, documents FROM concerns_termcount WHERE district_id = %s", [district]
        )
        counts: dict[str, int] = dict(cur.fetchall())
        for first in range(built, total, BATCH):
            batch: dict[str, list] = {"titles": [], "terms": [], "keys": [], "index": []}
            for n in range(first, min(total, first + BATCH)):
                m, p = n % len(MESSAGES), n // len(MESSAGES)
                if p not in places:
                    places[p] = model.read(crowd_place(p))
                place = places[p]
                batch["titles"].append(crowd_place(p) + MESSAGES[m])
                batch["terms"].append(model.fold(model.fold("", messages[m]), place))
                for key in set(model.index_keys(messages[m])) | set(model.index_keys(place)):
                    batch["keys"].append(key[:64])
                    batch["index"].append(n - first)
                for term in model.document_terms(messages[m]) | model.document_terms(place):
                    counts[term[:64]] = counts.get(term[:64], 0) + 1
                counts[""] = counts.get("", 0) + 1
            insert(cur, community.pk, batch)
        cur.execute("DELETE FROM concerns_termcount WHERE district_id = %s", [district])
        cur.executemany(
            "INSERT INTO concerns_termcount (district_id, term, documents) VALUES (%s, %s, %s)",
            [(district, term, n) for term, n in counts.items()],
        )
    with connection.cursor() as cur:
        for table in ("concerns_issue", "concerns_issuekey", "concerns_termcount"):
            cur.execute(f"ANALYZE {table}")
    return total, time.perf_counter() - started


# ---- The grouping step


def _weights(reading: Any, community: Any) -> Any:
    """The district's IDF for the reading, as the submit weighs it (itself counted)."""
    from concerns.intake import model, store

    terms = model.document_terms(reading)
    documents, counts = store.term_counts(store.district_id(community), terms)
    own = {term: counts.get(term[:64], 0) + 1 for term in terms}
    return model.idf(documents + 1, own)


# Milliseconds spent in core.sql's statements since the last reset (the candidates' statement
# inside the lookup: the database's work and the round trip, without building it in Python).
_IN_SQL = [0.0]


def _timed_sql() -> None:
    """Time core.sql's `rows` (once per process; the figures only, the statements unchanged)."""
    from core import sql

    if getattr(sql.rows, "timed", False):
        return
    rows = sql.rows

    def timed(statement: str, params: Any = ()) -> list[tuple]:
        started = time.perf_counter()
        try:
            return rows(statement, params)
        finally:
            _IN_SQL[0] += (time.perf_counter() - started) * 1000

    timed.timed = True  # type: ignore[attr-defined]
    sql.rows = timed


def step_once(community: Any, text: str, own: str = "") -> dict[str, float]:
    """One message: its reading, the term counts, then the grouping step (the candidates
    and the decision), in milliseconds each; with `own`, the title of the issue it is about,
    whether that issue was among the candidates and whether the message would join it. Parts
    of the step: the candidates' statement within the lookup, and within the decision the
    issues' profiles parsed (the rest is the evidence and the model)."""
    from concerns.intake import evidence, model, store, submit

    _timed_sql()
    t0 = time.perf_counter()
    reading = model.read(text, store.place_names(community))
    t1 = time.perf_counter()
    weights = _weights(reading, community)
    t2 = time.perf_counter()
    _IN_SQL[0] = 0.0
    keys = model.lookup_keys(reading, weights)
    if BY_COUNT:
        rows = store.candidates(community.pk, keys)
    elif hasattr(submit, "decision_candidates"):  # as the submit reads them
        rows = submit.decision_candidates(community.pk, keys, weights)
    else:  # an earlier checkout's (--code)
        rows = store.candidates(community.pk, keys, weights=model.key_weights(keys, weights))
    t3 = time.perf_counter()
    statement = _IN_SQL[0]
    profiles = {row[0]: row[2] for row in rows}
    for stored in profiles.values():
        evidence.parse_profile(stored)  # kept: the decision finds them parsed
    parsed = time.perf_counter()
    joined, _scores = model.decide(reading, profiles, weights)
    t4 = time.perf_counter()
    titles = {row[0]: row[1] for row in rows}
    return {
        "found": float(own in titles.values()),
        "joined": float(joined is not None and titles[joined] == own),
        "read": (t1 - t0) * 1000,
        "counts": (t2 - t1) * 1000,
        "lookup": (t3 - t2) * 1000,
        "statement": statement,
        "decide": (t4 - t3) * 1000,
        "profiles": (parsed - t3) * 1000,
        "step": (t4 - t2) * 1000,
        "total": (t4 - t0) * 1000,
    }


def _summary(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {
        "mean": statistics.fmean(values),
        "p50": values[len(values) // 2],
        "p95": values[int(len(values) * 0.95)],
        "max": values[-1],
    }


def step_cost(size: int, samples: int, seed: int) -> dict[str, dict[str, float]]:
    """The grouping step's figures over `samples` messages at the crowd's present size."""
    from concerns.intake import store

    community = crowd_community()
    store.place_names(community)  # the per-process place cache, as in a warm worker
    store.district_id(community)
    rng = random.Random(seed)
    roads = max(1, size // len(MESSAGES))

    def message() -> tuple[str, str]:
        own = crowd_place(rng.randrange(roads)) + rng.choice(MESSAGES)
        return own + rng.choice(ENDINGS), own

    for _ in range(50):  # warm, as a running worker would be
        step_once(community, *message())
    cpu = _cpu_seconds()
    runs = [step_once(community, *message()) for _ in range(samples)]
    used = _cpu_seconds() - cpu
    figures = {part: _summary([run[part] for run in runs]) for part in runs[0]}
    # CPU per message, of this process and the database server's backend: what a message
    # costs whatever else the machine runs (the wall-clock figures wait for the cores too)
    figures["cpu"] = {"mean": 1000 * used / samples}
    return figures


def _cpu_seconds() -> float:
    """CPU time used so far by this process and, on PostgreSQL, its connection's backend."""
    import os

    from django.db import connection

    times = os.times()
    used = times.user + times.system
    if _postgres():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        used += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


# ---- The submit against a bare insert


def _bare_table() -> Callable[[int], None]:
    from django.db import connection

    kind = "bigserial" if _postgres() else "integer"
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS bench_bare (id {kind} PRIMARY KEY, community text, "
            "content text, phone text)"
        )

    def bare(n: int) -> None:
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO bench_bare (community, content, phone) VALUES (%s, %s, %s)",
                [CROWD, MESSAGES[n % len(MESSAGES)], f"15{n:09d}"],
            )

    return bare


def submit_against_bare(size: int, submits: int, rounds: int) -> dict[str, Any]:
    """Submits and bare inserts per second, in `rounds` alternating rounds; the ratio per
    round, and the statements of one submit."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from concerns.intake.submit import submit_concern

    settings.NOTIFICATIONS_DEFER = True  # as in production (README)
    community = crowd_community()
    bare = _bare_table()
    rng = random.Random(size)
    roads = max(1, size // len(MESSAGES))
    counter = iter(range(10**9))

    def submit(n: int) -> Any:
        text = crowd_place(rng.randrange(roads)) + rng.choice(MESSAGES) + rng.choice(ENDINGS)
        return submit_concern(
            community=community, content=text, channel="web", phone=f"15{next(counter):09d}"
        )

    for n in range(20):  # warm
        submit(n)
        bare(n)
    with CaptureQueriesContext(connection) as one:
        joined = submit(0)
    per_round = max(1, submits // rounds)
    ratios, submit_rates, bare_rates = [], [], []
    for _ in range(rounds):
        started = time.perf_counter()
        for n in range(per_round):
            bare(n)
        bare_rate = per_round / (time.perf_counter() - started)
        started = time.perf_counter()
        for n in range(per_round):
            submit(n)
        submit_rate = per_round / (time.perf_counter() - started)
        bare_rates.append(bare_rate)
        submit_rates.append(submit_rate)
        ratios.append(submit_rate / bare_rate)
    return {
        "submit": submit_rates,
        "bare": bare_rates,
        "ratio": ratios,
        "statements": len(one.captured_queries),
        "joined": joined.similarity is not None,
    }


# ---- Printing


def _median_min(values: Sequence[float]) -> str:
    return f"{statistics.median(values):6.2f} (min {min(values):5.2f})"


def print_steps(costs: dict[int, list[dict[str, dict[str, float]]]], load: str) -> None:
    """Median over the repeats (and their minimum) of each figure."""
    print(
        "\nGrouping step in one community: the candidates from the term index + the model's "
        f"decision, ms/message, median of {len(next(iter(costs.values())))} runs (min); "
        f"load average {load}"
    )
    for size, runs in sorted(costs.items()):
        target = "  (target p95 ≤ 2 ms)" if size == 10_000 else ""
        figures = "  ".join(
            f"{name} {_median_min([run['step'][name] for run in runs])}"
            for name in ("p50", "p95", "max")
        )
        print(f"  {size:>7,} open issues  {figures}{target}")
    print(
        "  parts, p50 (median of the runs; the step is lookup + decide, the statement part of "
        "the lookup, the profiles part of the decision): ",
        end="",
    )
    print(
        "; ".join(
            f"{size:,}: "
            + ", ".join(
                f"{part} {statistics.median(run[part]['p50'] for run in runs):.2f}"
                for part in ("read", "counts", "lookup", "statement", "decide", "profiles")
            )
            for size, runs in sorted(costs.items())
        )
    )
    print(
        "  CPU per message (the whole of it: read, counts, step; this process and the "
        "database's backend), median of the runs: "
        + "; ".join(
            f"{size:,}: {statistics.median(run['cpu']['mean'] for run in runs):.2f} ms"
            for size, runs in sorted(costs.items())
        )
    )
    print(
        "  its own issue (same road, same matter) among the candidates / joined: "
        + "; ".join(
            f"{size:,}: {statistics.median(run['found']['mean'] for run in runs):.0%} / "
            f"{statistics.median(run['joined']['mean'] for run in runs):.0%}"
            for size, runs in sorted(costs.items())
        )
    )
    if 1_000 in costs and 100_000 in costs:
        for part, figure in (("step", "mean"), ("step", "p50"), ("cpu", "mean")):
            low = statistics.median(run[part][figure] for run in costs[1_000])
            high = statistics.median(run[part][figure] for run in costs[100_000])
            print(
                f"  ratio at 100,000 / at 1,000 open issues ({part} {figure}): {high / low:.2f}"
                "  (target ≤ 1.5)"
            )


def print_throughput(figures: dict[int, dict[str, Any]], load: str) -> None:
    print(f"\nSubmit in this process against a bare one-row insert (load average {load}):")
    for size, f in sorted(figures.items()):
        print(
            f"  {size:>7,} open issues  submits {statistics.median(f['submit']):7.1f}/s  "
            f"bare {statistics.median(f['bare']):7.1f}/s  ratio median "
            f"{statistics.median(f['ratio']):.1%} (rounds {min(f['ratio']):.1%}–"
            f"{max(f['ratio']):.1%}); a submit runs {f['statements']} statements"
        )


def load_average() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])
