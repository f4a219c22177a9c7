"""Cost of one rate-limit check with the database cache, ours against django-ratelimit's.

    .venv/bin/python bench/ratelimit_cost.py ours
    PYTHONPATH=<dir with django_ratelimit> .venv/bin/python bench/ratelimit_cost.py library

Each of `--checks` checks is what a failed login does for one of its counters: is the key
over its limit, then count one more use. Ours is core.ratelimit (`is_limited`, `hit`: one
upsert into the cache table). The library's is django_ratelimit.core.get_usage with
increment=True (the cache API's add, then get and set). Both use the project's database
cache table in a fresh SQLite file (`--database` for another DATABASE_URL). It prints the
microseconds and SQL statements per check.

With `--race N`, N processes each count `--checks` uses of one key at once, and it prints how
many uses the counter holds at the end: a counter that is safe across workers holds N ×
checks; one that reads and then writes loses the uses that interleave.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("counter", choices=["ours", "library"])
    parser.add_argument("--checks", type=int, default=5000)
    parser.add_argument("--race", type=int, default=0, help="processes counting one key")
    parser.add_argument("--database", help="a DATABASE_URL (default: a new SQLite file)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    os.environ["DATABASE_URL"] = args.database or f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yishi.settings")
    os.environ.setdefault("YISHI_SECRET_KEY", "bench-only")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import RequestFactory

    call_command("createcachetable", verbosity=0)
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="203.0.113.7")
    # In a race every use must be counted, so the limit is never reached there.
    limit = 10**9 if args.race else 50
    if args.counter == "ours":
        from core import ratelimit

        def check(n: int) -> bool:
            key = f"login-ip:203.0.113.{n % 200}"
            return bool(ratelimit.is_limited(key, limit, 900) or ratelimit.hit(key, limit, 900))

        def counted() -> int:
            bucket = ratelimit._bucket("login-ip:203.0.113.0", 900)[0]
            with connection.cursor() as cursor:
                cursor.execute("SELECT value FROM yishi_cache WHERE cache_key = %s", [bucket])
                row = cursor.fetchone()
            return int(row[0]) if row else 0
    else:
        from django_ratelimit.core import get_usage

        def check(n: int) -> bool:
            usage = get_usage(
                request,
                group="login-ip",
                key=lambda group, request: f"203.0.113.{n % 200}",
                rate=f"{limit}/15m",
                increment=True,
            )
            return bool(usage and usage["should_limit"])

        def counted() -> int:
            usage = get_usage(
                request,
                group="login-ip",
                key=lambda group, request: "203.0.113.0",
                rate=f"{limit}/15m",
            )
            return usage["count"] if usage else 0

    if args.race:
        race(check, counted, args.race, args.checks)
        return

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        for n in range(args.checks):
            check(n)
        elapsed = time.perf_counter() - started
    print(
        f"{args.counter} on {connection.vendor}: {elapsed / args.checks * 1e6:.0f} µs and "
        f"{statements / args.checks:.1f} SQL statements per check"
    )


def race(check, counted, processes: int, checks: int) -> None:
    """`processes` forked workers each count `checks` uses of one key (n = 0 every time)."""
    from django.db import connection

    connection.close()
    children = []
    for _ in range(processes):
        pid = os.fork()
        if pid == 0:
            for _ in range(checks):
                check(0)
            connection.close()
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    print(f"{processes} processes × {checks} uses of one key: the counter holds {counted()}")


if __name__ == "__main__":
    main()
