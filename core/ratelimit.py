"""Fixed-window counters shared by every worker: login throttling and submit rate limits;
and the client address they count (`client_ip`).

With the database cache (the default), a counter is one row of the cache table, counted with
one atomic upsert (`INSERT … ON CONFLICT … DO UPDATE … RETURNING`, on PostgreSQL and SQLite
≥ 3.35): one statement per use instead of the cache API's read, insert, read and update in
savepoints. The rows carry their own key prefix (never the cache API's ":1:" form), expire
with their window, and are swept from time to time. With another cache backend (Redis,
memcached…) the cache's own `incr` is used.

Why not a library. django-ratelimit counts with the cache API's `add` then `incr`, which on
the database cache is a read then a write: two workers can both read 4 and both write 5, so a
guesser with parallel requests gets more tries than the limit (four processes counting 200
uses each of one key left 611 of the 800 counted; these counters kept all 800). Its system
check refuses that cache (django_ratelimit.E003, "does not support atomic increment") and asks
for Redis or memcached, which a community deployment on SQLite or PostgreSQL does not have.
It answers only "limited or not", not the seconds left that Retry-After and the login message
give, and a check costs 8 SQL statements against 2 here (bench/ratelimit_cost.py).
django-axes covers the login only (not submits, code lookups or Open311), applies one failure
limit to every lockout parameter (an office's shared address needs a higher limit than one
account), and gives no Retry-After. Both would still need `client_ip` for the address behind
trusted proxies.
"""

import ipaddress
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from core import sql

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

PREFIX = "ratelimit|"
MAX_HOPS = 20  # X-Forwarded-For entries read, from the right: a long header costs nothing more
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


def _address(text: str) -> IPAddress | None:
    """An IP address from a REMOTE_ADDR or X-Forwarded-For entry, or None.

    Some proxies write a port ("203.0.113.7:51234", "[2001:db8::7]:443"); it is dropped.
    """
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the same client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, proxies) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_ip(request) -> str:
    """The address every per-client limit counts.

    The peer's own address, unless that peer is one of settings.TRUSTED_PROXIES: then the
    X-Forwarded-For chain is read from the right (each proxy appends the address it saw), and
    the first entry that is not a trusted proxy is the client. Entries left of it were written
    by the client and could be anything, so they never count. An entry that is not an IP
    address ends the walk there: the client is the last address we can vouch for.
    """
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return "unknown"
    proxies = settings.TRUSTED_PROXIES
    if not (proxies and _is_trusted(peer, proxies)):
        return str(peer)
    client = peer
    chain = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-MAX_HOPS:]
    for entry in reversed(chain):
        address = _address(entry)
        if address is None:
            break
        client = address
        if not _is_trusted(address, proxies):
            break
    return str(client)


def from_trusted_proxy(request) -> bool:
    """Whether the peer is one of settings.TRUSTED_PROXIES (whose headers may be believed)."""
    proxies = settings.TRUSTED_PROXIES
    if not proxies:
        return False
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    return peer is not None and _is_trusted(peer, proxies)
