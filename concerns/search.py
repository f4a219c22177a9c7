"""Staff text search over issues: "电梯", "3号楼 漏水".

Each issue keeps `search_text`: the jieba words (search mode, so "加装电梯" is found by "电梯"
too) of its working and public titles, summary, outcome and its concerns' words, addresses,
compounds and buildings. A query is cut by the same jieba, with the same domain words
(grouping's), and every word must be there:

- PostgreSQL: full-text search, `to_tsvector('simple', search_text)` against each word, on a
  GIN index (migration 0008; configuration "simple": words as jieba cut them, no stemming);
- SQLite: `LIKE '%word%'` over the same text, one condition per word.

Registering a concern does nothing for search (the intake stays as fast as it was): a search
first refreshes the issues of the caller's scope changed since they were last indexed
(`updated_at`, `last_received_at`), at most REFRESH_LIMIT of them; `manage.py index_issues`
refreshes every one (after a deploy, or when grouping's domain words changed).

The scope is the caller's: search only narrows `visible_issues(user)`, never widens it.
"""

import re
import unicodedata
from collections import defaultdict
from functools import reduce
from operator import and_

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet

from concerns.models import Concern, Issue

# Longest query read, and most words kept of it.
MAX_QUERY = 100
MAX_WORDS = 8
# Issues refreshed by one search at most (the rest by the next, or by index_issues).
REFRESH_LIMIT = 1000
BATCH = 200

# A word worth searching: letters or digits (punctuation and spaces are not).
_WORD = re.compile(r"\w", re.UNICODE)


def _jieba():
    from concerns.intake import evidence

    evidence.warm_up()  # the dictionary grouping reads with, loaded once
    import jieba

    return jieba


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def segment(text: str) -> str:
    """The words of `text` as the index keeps them: jieba's search mode, space-separated."""
    words = _jieba().cut_for_search(_clean(text))
    return " ".join(w for w in (w.strip() for w in words) if w and _WORD.search(w))


def query_words(query: str) -> list[str]:
    """The words a query asks for (all must be found): jieba's precise cut, at most
    MAX_WORDS, each once, punctuation dropped."""
    words: list[str] = []
    for word in _jieba().cut(_clean(query)[:MAX_QUERY]):
        word = word.strip()
        if word and _WORD.search(word) and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def _stale() -> Q:
    return (
        Q(search_indexed_at__isnull=True)
        | Q(search_indexed_at__lt=F("updated_at"))
        | Q(search_indexed_at__lt=F("last_received_at"))
    )


def refresh(issues: QuerySet[Issue], *, limit: int | None = REFRESH_LIMIT) -> int:
    """Re-index the issues of `issues` changed since they were indexed; returns how many.
    Each is stamped with the change it was read at, so one changed meanwhile stays stale."""
    done = 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        rows = list(
            issues.filter(_stale())
            .order_by()
            .values("pk", "title", "public_title", "summary", "outcome", "updated_at")
            .annotate(received=F("last_received_at"))[:size]
        )
        if not rows:
            break
        words: dict[int, list[str]] = defaultdict(list)
        for issue_id, *texts in Concern.objects.filter(
            issue_id__in=[r["pk"] for r in rows]
        ).values_list("issue_id", "content", "address", "compound__name", "building__name"):
            words[issue_id] += [t or "" for t in texts]
        Issue.objects.bulk_update(
            [
                Issue(
                    pk=r["pk"],
                    search_text=segment(
                        " ".join(
                            [r["title"], r["public_title"], r["summary"], r["outcome"]]
                            + words[r["pk"]]
                        )
                    ),
                    search_indexed_at=max(r["updated_at"], r["received"]),
                )
                for r in rows
            ],
            ["search_text", "search_indexed_at"],
        )
        done += len(rows)
    return done


def search(issues: QuerySet[Issue], query: str) -> QuerySet[Issue]:
    """The issues of `issues` (already the caller's scope) whose words hold every word of
    `query`; none for a query without words."""
    words = query_words(query)
    if not words:
        return issues.none()
    refresh(issues)
    if connection.vendor == "postgresql":
        wanted = reduce(and_, [SearchQuery(w, config="simple", search_type="plain") for w in words])
        return issues.annotate(search_vector=SearchVector("search_text", config="simple")).filter(
            search_vector=wanted
        )
    for word in words:
        issues = issues.filter(search_text__contains=word)
    return issues
