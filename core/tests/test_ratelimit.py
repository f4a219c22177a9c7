"""core.ratelimit: shared fixed-window counters, one SQL statement per use."""

import pytest

from core import ratelimit


def test_hit_counts_up_to_the_limit_then_answers_the_wait(db):
    waits = [ratelimit.hit("t:a", 3, 60) for _ in range(4)]
    assert waits[:3] == [0, 0, 0]
    assert 0 < waits[3] <= 60
    assert 0 < ratelimit.is_limited("t:a", 3, 60) <= 60
    assert ratelimit.is_limited("t:b", 3, 60) == 0  # another key counts apart


def test_reset_clears_the_counter(db):
    for _ in range(3):
        ratelimit.hit("t:r", 3, 60)
    assert ratelimit.is_limited("t:r", 3, 60)
    ratelimit.reset("t:r", 60)
    assert ratelimit.is_limited("t:r", 3, 60) == 0


def test_one_statement_per_use(db, django_assert_num_queries):
    ratelimit.hit("t:q", 5, 60)
    with django_assert_num_queries(1):
        ratelimit.hit("t:q", 5, 60)
    with django_assert_num_queries(1):
        ratelimit.is_limited("t:q", 5, 60)


def test_other_cache_backends_use_the_cache(db, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import caches

    try:
        assert [ratelimit.hit("t:m", 1, 60) > 0 for _ in range(2)] == [False, True]
        ratelimit.reset("t:m", 60)
        assert ratelimit.is_limited("t:m", 1, 60) == 0
    finally:
        caches["default"].clear()


@pytest.mark.django_db(transaction=True)
def test_expired_windows_are_swept(monkeypatch):
    from django.db import connection

    monkeypatch.setattr(ratelimit, "_bucket", lambda key, window: (f"ratelimit|{key}", 1, 1000))
    ratelimit.hit("old", 5, 60)  # a window that ended in 1970
    ratelimit.hit("old", 5, 60)
    assert ratelimit.is_limited("old", 2, 60)  # the row is there
    monkeypatch.setattr(ratelimit, "_last_sweep", -1e9)
    monkeypatch.undo()
    monkeypatch.setattr(ratelimit, "_last_sweep", -1e9)
    ratelimit.hit("new", 5, 60)
    with connection.cursor() as cur:
        cur.execute("SELECT cache_key FROM yishi_cache WHERE cache_key LIKE 'ratelimit|%'")
        keys = [k for (k,) in cur.fetchall()]
    assert "ratelimit|old" not in keys
    assert any(k.startswith("ratelimit|new:") for k in keys)  # live windows stay
    ratelimit.reset("new", 60)
