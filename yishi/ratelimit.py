"""Fixed-window counters in the shared cache: login throttling and submit rate limits."""

import time

from django.core.cache import cache


def _bucket(key: str, window: int) -> tuple[str, int]:
    now = int(time.time())
    start = now - now % window
    return f"rl:{key}:{start}", start + window - now


def is_limited(key: str, limit: int, window: int) -> int:
    """Seconds to wait if `key` has reached `limit` in this window, else 0 (counts nothing)."""
    bucket, remaining = _bucket(key, window)
    return remaining if (cache.get(bucket) or 0) >= limit else 0


def hit(key: str, limit: int, window: int) -> int:
    """Count one use of `key`; seconds to wait if that took it over `limit`, else 0."""
    bucket, remaining = _bucket(key, window)
    cache.add(bucket, 0, timeout=window + 1)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window + 1)
        count = 1
    return remaining if count > limit else 0


def reset(key: str, window: int) -> None:
    cache.delete(_bucket(key, window)[0])


def client_ip(request) -> str:
    # Behind the reverse proxy set YISHI_TRUST_X_FORWARDED_FOR=1 so the real address counts.
    from django.conf import settings

    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"
