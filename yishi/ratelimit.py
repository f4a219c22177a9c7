"""Fixed-window counters shared by every worker: login throttling and submit rate limits.

With the database cache (the default), a counter is one row of the cache table, counted with
one atomic upsert (`INSERT … ON CONFLICT … DO UPDATE … RETURNING`, on PostgreSQL and SQLite
≥ 3.35): one statement per use instead of the cache API's read, insert, read and update in
savepoints. The rows carry their own key prefix (never the cache API's ":1:" form), expire
with their window, and are swept from time to time. With another cache backend (Redis,
memcached…) the cache's own `incr` is used.
"""

import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from yishi import sql

PREFIX = "ratelimit|"
SWEEP_EVERY = 600  # seconds between sweeps of expired counters, per process
_last_sweep = time.monotonic()


def _bucket(key: str, window: int) -> tuple[str, int, int]:
    """(counter key, seconds left in this window, the window's end as a Unix time)."""
    now = int(time.time())
    start = now - now % window
    return f"{PREFIX}{key}:{start}"[:255], start + window - now, start + window


def _table() -> str | None:
    """The cache table's quoted name (from settings, never from input), or None."""
    conf = settings.CACHES.get("default", {})
    if conf.get("BACKEND", "").endswith("db.DatabaseCache"):
        return connection.ops.quote_name(conf["LOCATION"])
    return None


def is_limited(key: str, limit: int, window: int) -> int:
    """Seconds to wait if `key` has reached `limit` in this window, else 0 (counts nothing)."""
    bucket, remaining, _end = _bucket(key, window)
    table = _table()
    if table is None:
        count = cache.get(bucket) or 0
    else:
        row = sql.one(f"SELECT value FROM {table} WHERE cache_key = %s", [bucket])  # noqa: S608
        count = int(row[0]) if row else 0
    return remaining if count >= limit else 0


def hit(key: str, limit: int, window: int) -> int:
    """Count one use of `key`; seconds to wait if that took it over `limit`, else 0."""
    bucket, remaining, end = _bucket(key, window)
    table = _table()
    if table is None:
        cache.add(bucket, 0, timeout=window + 1)
        try:
            count = cache.incr(bucket)
        except ValueError:  # expired between add and incr
            cache.set(bucket, 1, timeout=window + 1)
            count = 1
    else:
        _sweep(table)
        counted = sql.one(
            f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, '1', %s) "  # noqa: S608
            f"ON CONFLICT (cache_key) DO UPDATE SET value = "
            f"CAST(CAST({table}.value AS INTEGER) + 1 AS VARCHAR(20)) RETURNING value",
            [bucket, datetime.fromtimestamp(end + 1, tz=UTC)],
        )
        count = int(counted[0]) if counted else 1
    return remaining if count > limit else 0


def reset(key: str, window: int) -> None:
    bucket = _bucket(key, window)[0]
    table = _table()
    if table is None:
        cache.delete(bucket)
        return
    sql.run(f"DELETE FROM {table} WHERE cache_key = %s", [bucket])  # noqa: S608


def _sweep(table: str) -> None:
    """Delete counters of windows that have ended, at most once per SWEEP_EVERY seconds."""
    global _last_sweep
    if time.monotonic() - _last_sweep < SWEEP_EVERY:
        return
    _last_sweep = time.monotonic()
    sql.run(
        f"DELETE FROM {table} WHERE cache_key LIKE %s AND expires < %s",  # noqa: S608
        [PREFIX + "%", datetime.now(tz=UTC)],
    )


def client_ip(request) -> str:
    # Behind the reverse proxy set YISHI_TRUST_X_FORWARDED_FOR=1 so the real address counts.
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"
