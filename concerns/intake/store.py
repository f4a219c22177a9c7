"""Every statement of the intake: the candidates, the join, the counts, the term index, the
districts' term counts and staff's labelled pairs.

Two rules live here and nowhere else:
- *who counts as one resident*: concerns sharing a phone (or another resident key) or a
  household are one resident, linked transitively (count_residents, and the join's EXISTS);
- *the urgent deadline*: an urgent concern must be accepted within URGENT_ACCEPT of its
  receipt, on a new issue and on one it joins (accept_due).

The hot statements are written out through core.sql (compiled once, no ORM on the submit
path); the rest use the ORM.
"""

import functools
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.utils import timezone

from concerns.models import Category, Concern, GroupingLabel, Issue, IssueKey
from core import sql
from places.models import Area, Compound

T = TypeVar("T")

# Without a category an issue gets these limits.
DEFAULT_ACCEPT_HOURS = 24
DEFAULT_RESOLVE_DAYS = 7
# An urgent concern is to be accepted this soon after it came in.
URGENT_ACCEPT = timedelta(hours=2)
# Candidates read per submit: the issues sharing the most keys with the concern.
MAX_CANDIDATES = 50
# Postings read per key: the newest issues filed under it (see candidates).
POSTINGS_PER_KEY = 100
# Texts of an issue kept with a labelled pair.
LABEL_TEXTS = 30
# Longer keys are cut (the columns hold 64 characters).
KEY_LENGTH = 64


def first(rows: QuerySet[Any, T]) -> T | None:
    """The first row of a query that matches at most one, or None. Unlike QuerySet.first()
    it adds no ORDER BY (the models' default orderings), which costs the submit path time to
    compile and the database time to sort."""
    return next(iter(rows.order_by()[:1]), None)


# ---- Places, kept: every submit reads its community, the names of its places and its
# district, which change seldom. Kept per process for a few minutes; a place saved or
# deleted in this process forgets them at once (forget_places, connected in apps.py).

_PLACE_CACHE: dict[int, tuple[float, list[str]]] = {}
_COMMUNITY_CACHE: dict[str, tuple[float, Area]] = {}
_DISTRICT_CACHE: dict[int, tuple[float, int]] = {}
_PLACE_TTL = 300.0


def forget_places(*args: Any, **kwargs: Any) -> None:
    _PLACE_CACHE.clear()
    _COMMUNITY_CACHE.clear()
    _DISTRICT_CACHE.clear()


def community_by_code(code: str) -> Area | None:
    """The community with this area code (a form's or the API's `community`), or None."""
    cached = _COMMUNITY_CACHE.get(code)
    now = time.monotonic()
    if cached and now - cached[0] < _PLACE_TTL:
        return cached[1]
    community = sql.instance(Area, "code = %s AND kind = %s", [code, Area.Kind.COMMUNITY])
    if community is not None:
        _COMMUNITY_CACHE[code] = (now, community)
    return community


def place_names(community: Area) -> list[str]:
    """The community's own place names (removed before grouping: not what a concern is about)."""
    cached = _PLACE_CACHE.get(community.pk)
    now = time.monotonic()
    if cached and now - cached[0] < _PLACE_TTL:
        return cached[1]
    names = [community.name, community.name.removesuffix("社区").removesuffix("村")]
    names += Compound.objects.filter(grid__parent=community).values_list("name", flat=True)
    names += Area.objects.filter(parent=community).values_list("name", flat=True)
    _PLACE_CACHE[community.pk] = (now, names)
    return names


def district_id(community: Area) -> int:
    """The district whose term counts the community's concerns feed: its street's parent
    (the street itself, or the community, where the tree stops short)."""
    cached = _DISTRICT_CACHE.get(community.pk)
    now = time.monotonic()
    if cached and now - cached[0] < _PLACE_TTL:
        return cached[1]
    found = community.pk
    if community.parent_id is not None:
        row = sql.one("SELECT parent_id FROM places_area WHERE id = %s", [community.parent_id])
        found = row[0] if row and row[0] is not None else community.parent_id
    _DISTRICT_CACHE[community.pk] = (now, found)
    return found


# ---- The two rules


def residents_among(rows: Iterable[tuple[Any, str, str]]) -> int:
    """Distinct residents among (id, resident key, household key) rows: rows sharing a
    resident key or a household are one resident (a union of both links, so A–B by phone and
    B–C by household make one)."""
    rows = list(rows)
    parent = {pk: pk for pk, _, _ in rows}

    def find(x: Any) -> Any:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_by_key: dict[str, Any] = {}
    for pk, resident, household in rows:
        for key in (resident, f"hh:{household}" if household else ""):
            if not key:
                continue
            if key in first_by_key:
                parent[find(pk)] = find(first_by_key[key])
            else:
                first_by_key[key] = pk
    return len({find(pk) for pk in parent})


def count_residents(issue_ids: Iterable[int]) -> int:
    """Distinct residents behind these issues together (residents_among)."""
    rows = Concern.objects.filter(issue_id__in=list(issue_ids)).values_list(
        "pk", "resident_key", "household_key"
    )
    return residents_among(rows)


def accept_due(urgency: str, received: datetime) -> datetime | None:
    """The latest time to accept an issue this concern came into, when it sets one."""
    return received + URGENT_ACCEPT if urgency == Concern.Urgency.URGENT else None


def due_dates(
    category: Category | None, received: datetime, urgency: str = Concern.Urgency.NORMAL
) -> tuple[datetime, datetime]:
    """(accept by, resolve by) of an issue opened by a concern received then."""
    accept = received + timedelta(hours=category.accept_hours if category else DEFAULT_ACCEPT_HOURS)
    urgent = accept_due(urgency, received)
    if urgent is not None:
        accept = min(accept, urgent)
    resolve = received + timedelta(days=category.resolve_days if category else DEFAULT_RESOLVE_DAYS)
    return accept, resolve


def guess_category(content: str) -> Category | None:
    """The active category whose keywords the text names most often (first in order on ties)."""
    best, best_hits = None, 0
    for category in Category.objects.filter(active=True).exclude(keywords=""):
        hits = sum(1 for word in category.keywords.split() if word and word in content)
        if hits > best_hits:
            best, best_hits = category, hits
    return best


# ---- Candidates: the term index


def _keys(keys: Iterable[str]) -> list[str]:
    return sorted({key[:KEY_LENGTH] for key in keys if key})


_OPEN = sql.marks(Issue.OPEN_STATUSES)
# Plain strings: the statuses as bound, without adapting the choices at every statement.
_OPEN_VALUES = [str(status.value) for status in Issue.OPEN_STATUSES]


# Each key's postings: the newest POSTINGS_PER_KEY issues filed under it, with the key's weight.
_POSTINGS = (
    "SELECT * FROM (SELECT issue_id, CAST(%s AS INTEGER) AS w FROM concerns_issuekey "  # noqa: S608
    f"WHERE community_id = %s AND key = %s ORDER BY issue_id DESC LIMIT {POSTINGS_PER_KEY}) "
    "AS k{n}"
)
# The issues sharing the greatest weight of keys (see candidates): `r` the rare keys' postings,
# `best` the issues found through them sharing the most, `c` the common keys' postings, `k`
# the common keys to look the best up under.
_RANKED = (
    "WITH {ctes} top AS (SELECT issue_id, SUM(w) AS shared FROM ({shares}) AS s{skip} "  # noqa: S608
    "GROUP BY issue_id ORDER BY shared DESC, issue_id DESC LIMIT {limit}) "
    "SELECT i.id, i.title, i.terms, i.category_id, i.residents_count FROM concerns_issue i "
    f"JOIN top ON top.issue_id = i.id WHERE i.status IN ({_OPEN}) "
    "ORDER BY top.shared DESC, i.id DESC"
)
_BEST = (
    "best AS (SELECT issue_id, SUM(w) AS w FROM r{skip} GROUP BY issue_id "
    "ORDER BY w DESC, issue_id DESC LIMIT {limit}),"
)
# One probe of the (community, key, issue) index a pair: a subquery per row, never a join over
# a common key's long list of postings. `LIMIT 1 OFFSET 0` (no change to EXISTS) keeps
# PostgreSQL from planning the probes as one hashed pass over every posting of the community
# instead: a generic plan chose that where the community's postings looked few (a thousand open
# issues), 2.5 ms a lookup instead of 0.6, growing with the community.
_PROBES = (
    "SELECT best.issue_id, CASE WHEN EXISTS (SELECT 1 FROM concerns_issuekey x "
    "WHERE x.community_id = %s AND x.key = k.key AND x.issue_id = best.issue_id LIMIT 1 OFFSET 0) "
    "THEN k.w ELSE 0 END AS w FROM best CROSS JOIN k WHERE k.key <> ''"
)


def _padded(keys: list[str], step: int) -> list[str]:
    """The keys with empty ones (filed under no issue) up to a multiple of `step`: statements
    of a few forms only, each prepared once by PostgreSQL and kept by the connection (a
    statement prepared anew is planned anew, a millisecond and more for the candidates')."""
    return keys + [""] * (-len(keys) % step)


def candidates(
    community_id: int,
    keys: Sequence[str],
    *,
    exclude: Iterable[int] = (),
    weights: Mapping[str, float] | None = None,
    rare: Collection[str] = (),
    limit: int = MAX_CANDIDATES,
) -> list[tuple[int, str, str, int | None, int]]:
    """(id, title, terms, category, residents) of the open issues of the community that share
    the greatest weight of `keys` (`weights`, model.key_weights: whole numbers, so that sums
    are exact and ties go to the newest issue; without them each key weighs one), at most
    `limit`, in one statement.

    Each key's postings are read through the (community, key, issue) index, newest first and
    at most POSTINGS_PER_KEY: a key half the issues share costs no more than a specific one. A
    `rare` key (model.rare_keys: all its postings are read) finds every open issue under it,
    however old; the `limit` of those sharing the most rare weight are credited with every
    common key they truly have (one index probe a pair). So an old issue of a crowded
    community, found through its own place, counts its matter's common words too and is not
    outranked by newer issues of the matter elsewhere. The cost is that of the keys, not of
    the open issues. evaluate.Board ranks alike."""
    keys = _keys(keys)
    if not keys:
        return []
    excluded = list(exclude)
    cut = {key[:KEY_LENGTH]: w for key, w in (weights or {}).items()}
    rare = {key[:KEY_LENGTH] for key in rare}

    def weight(key: str) -> int:
        return round(cut.get(key, 0)) if weights is not None else 1

    specific = _padded([key for key in keys if key in rare], 2)
    common = _padded([key for key in keys if key not in rare], 2)
    params: list[Any] = []
    for key in specific:
        params += [weight(key), community_id, key]
    if specific and common:
        params += excluded
        for key in common:
            params += [key, weight(key)]
    for key in common:
        params += [weight(key), community_id, key]
    if specific and common:
        params.append(community_id)
    params += [*excluded, *_OPEN_VALUES]
    statement = _ranked(len(specific), len(common), len(excluded), int(limit))
    return sql.rows(statement, params)


@functools.lru_cache(maxsize=256)
def _ranked(specific: int, common: int, excluded: int, limit: int) -> str:
    """The candidates' statement for this many rare and common keys and excluded issues (its
    parameters in the order `candidates` gives them): written once per form, not at every
    submit."""
    skip = f" WHERE issue_id NOT IN ({sql.marks(range(excluded))})" if excluded else ""

    def postings(count: int, first: int) -> str:
        return " UNION ALL ".join(_POSTINGS.format(n=first + n) for n in range(count))

    ctes, shares = "", []
    if specific:
        ctes += f"r AS ({postings(specific, 0)}),"
        shares += ["SELECT issue_id, w FROM r"]
    if specific and common:
        pairs = ", ".join(["(%s, CAST(%s AS INTEGER))"] * common)
        ctes += f" {_BEST.format(skip=skip, limit=limit)} k (key, w) AS (VALUES {pairs}),"
        shares += [_PROBES]
    if common:
        ctes += f" c AS ({postings(common, specific)}),"
        unread = " WHERE issue_id NOT IN (SELECT issue_id FROM best)" if specific else ""
        shares += [f"SELECT issue_id, w FROM c{unread}"]  # noqa: S608
    return _RANKED.format(ctes=ctes, shares=" UNION ALL ".join(shares), skip=skip, limit=limit)


def index(community_id: int, issue_id: int, keys: Iterable[str]) -> None:
    """File the issue under these keys (those it has already are kept): one statement."""
    keys = _keys(keys)
    if not keys:
        return
    rows = ", ".join(["(%s, %s, %s)"] * len(keys))
    params: list[Any] = []
    for key in keys:
        params += [community_id, key, issue_id]
    sql.run(
        f"INSERT INTO concerns_issuekey (community_id, key, issue_id) VALUES {rows} "  # noqa: S608
        "ON CONFLICT DO NOTHING",
        params,
    )


def unindex(issue_ids: Iterable[int]) -> None:
    """Take closed or merged issues out of the index."""
    IssueKey.objects.filter(issue_id__in=list(issue_ids)).delete()


def reindex(issue: Issue, keys: Iterable[str]) -> None:
    """The issue's keys are these (or none, when it is not open)."""
    unindex([issue.pk])
    if issue.status in Issue.OPEN_STATUSES:
        index(issue.community_id, issue.pk, keys)


# ---- The districts' term counts (IDF learnt online)


def count_terms(district: int, terms: Iterable[str]) -> None:
    """Count one more concern of the district and its terms: one upsert, the last statement
    of a submit, so the district's rows stay locked only while it commits (and a submit
    rolled back counts nothing). Rows are written in one order, so two submits never wait on
    each other crosswise."""
    keys = ["", *_keys(terms)]
    rows = ", ".join(["(%s, %s, 1)"] * len(keys))
    params: list[Any] = []
    for key in keys:
        params += [district, key]
    sql.run(
        f"INSERT INTO concerns_termcount (district_id, term, documents) VALUES {rows} "  # noqa: S608
        "ON CONFLICT (district_id, term) "
        "DO UPDATE SET documents = concerns_termcount.documents + 1",
        params,
    )


def term_counts(district: int, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
    """(the district's concerns, {term: concerns containing it}) for these terms, in one
    statement: what model.idf weighs a new concern's terms by."""
    keys = _padded(["", *_keys(terms)], 16)
    counted = dict(
        sql.rows(
            "SELECT term, documents FROM concerns_termcount WHERE district_id = %s "  # noqa: S608
            f"AND term IN ({sql.marks(keys)})",
            [district, *keys],
        )
    )
    return counted.pop("", 0), counted


# ---- Opening, joining and counting


def lock_community(community_id: int) -> None:
    """Serialise the opening of issues in one community (two similar concerns arriving
    together must not open two issues). A no-key lock: a submit that joined an issue meanwhile
    inserts its concern (a reference to the community) without waiting for it, or the opener,
    waiting for that issue's row, and the joiner would wait for each other."""
    lock = sql.for_update(no_key=True)
    sql.one(f"SELECT id FROM places_area WHERE id = %s{lock}", [community_id])  # noqa: S608


def open_issue_locked(pk: int) -> Issue | None:
    """The issue, row-locked, if it is still open (a merge or a settlement may have come
    between the candidates' read and the lock)."""
    issue = sql.instance(Issue, "id = %s", [pk], lock=True)
    return issue if issue is not None and issue.status in Issue.OPEN_STATUSES else None


def insert(obj: Any) -> None:
    """A new issue or concern, inserted without compiling the INSERT."""
    sql.insert([obj])


# The join, counted: one resident more unless a concern of the issue has their resident key
# or their household already (the counting rule, incrementally); the new profile, given the
# profile as read, and its dates. Only while the issue is still open and its profile is still
# the one read: otherwise another concern joined (or staff changed the issue) in between, no
# row is updated, and the caller looks again. The UPDATE locks the row until the commit.
_JOIN = (
    "residents_count = residents_count + CASE WHEN EXISTS (SELECT 1 FROM concerns_concern "
    "WHERE issue_id = %s AND {same}) THEN 0 ELSE 1 END, "
    "concerns_count = concerns_count + 1, terms = %s, "
    "last_received_at = CASE WHEN last_received_at < %s THEN %s ELSE last_received_at END, "
    "first_received_at = CASE WHEN first_received_at > %s THEN %s ELSE first_received_at END, "
    "accept_due_at = CASE WHEN accept_due_at > %s THEN %s ELSE accept_due_at END, "
    "updated_at = %s"
)
_JOIN_BY = {
    False: _JOIN.format(same="resident_key = %s"),
    True: _JOIN.format(same="(resident_key = %s OR household_key = %s)"),
}
_JOIN_WHERE = f"id = %s AND status IN ({_OPEN}) AND terms = %s"


def join(
    pk: int,
    *,
    seen_terms: str,
    terms: str,
    resident: str,
    household: str,
    urgency: str,
    received: datetime,
) -> Issue | None:
    """Count a concern into the issue it joins, in one statement (_JOIN); the issue as the
    statement left it, or None when it no longer matched."""
    due = accept_due(urgency, received)
    same = [resident, household] if household else [resident]
    return sql.update_returning(
        Issue,
        _JOIN_BY[bool(household)],
        _JOIN_WHERE,
        [
            pk,
            *same,
            terms,
            received,
            received,
            received,
            received,
            due,
            due,
            timezone.now(),
            pk,
            *Issue.OPEN_STATUSES,
            seen_terms,
        ],
    )


def count_in(issue: Issue, concern: Concern, terms: str) -> None:
    """Update the (locked) issue for its new concern: residents, concerns, profile, dates.
    One statement: the resident is counted unless an earlier concern of the issue shares
    their resident key or household (an EXISTS inside the UPDATE); a phone with a household
    may link two residents counted apart so far, and then the issue is counted again."""
    same = "SELECT 1 FROM concerns_concern WHERE issue_id = %s AND id <> %s AND (resident_key = %s"
    same_params: list[Any] = [issue.pk, concern.pk, concern.resident_key]
    if concern.household_key:
        same, same_params = same + " OR household_key = %s", [*same_params, concern.household_key]
    same += ")"
    if concern.household_key and concern.resident_key.startswith("tel:"):
        known = sql.one(same + " LIMIT 1", same_params)
        residents, residents_params = (
            "%s",
            [count_residents([issue.pk]) if known else issue.residents_count + 1],
        )
    else:
        residents = f"residents_count + CASE WHEN EXISTS ({same}) THEN 0 ELSE 1 END"
        residents_params = same_params
    received = concern.received_at
    issue.concerns_count += 1
    issue.terms = terms
    issue.last_received_at = max(issue.last_received_at, received)
    if received < issue.first_received_at:
        issue.first_received_at = received
    due = accept_due(concern.urgency, received)
    if due is not None and issue.accept_due_at:
        issue.accept_due_at = min(issue.accept_due_at, due)
    issue.updated_at = timezone.now()
    counted = sql.one(
        f"UPDATE concerns_issue SET residents_count = {residents}, concerns_count = %s, "  # noqa: S608
        "terms = %s, last_received_at = %s, first_received_at = %s, accept_due_at = %s, "
        "updated_at = %s WHERE id = %s RETURNING residents_count",
        [
            *residents_params,
            issue.concerns_count,
            issue.terms,
            issue.last_received_at,
            issue.first_received_at,
            issue.accept_due_at,
            issue.updated_at,
            issue.pk,
        ],
    )
    assert counted is not None  # the row is locked: it cannot have gone
    issue.residents_count = counted[0]


def recount(issue: Issue) -> None:
    """The issue's residents and concerns counted again from its concerns (not saved)."""
    rows = list(issue.concerns.values_list("pk", "resident_key", "household_key"))
    issue.residents_count = residents_among(rows)
    issue.concerns_count = len(rows)


# ---- Staff's labelled pairs


def texts_of(issue_id: int, *, without: Iterable[int] = ()) -> list[str]:
    """The texts of an issue's concerns (oldest first, at most LABEL_TEXTS)."""
    rows = Concern.objects.filter(issue_id=issue_id).exclude(pk__in=list(without))
    return list(rows.order_by("received_at", "pk").values_list("content", flat=True)[:LABEL_TEXTS])


def label(
    concern: Concern,
    issue: Issue,
    *,
    same: bool,
    kind: str,
    actor: Any,
    texts: Sequence[str],
) -> GroupingLabel:
    """Store one labelled pair (the concern and the issue's other concerns' texts)."""
    community = issue.community
    return GroupingLabel.objects.create(
        community_id=issue.community_id,
        district_id=district_id(community),
        concern=concern,
        issue=issue,
        same=same,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        concern_text=concern.content,
        issue_texts=list(texts)[:LABEL_TEXTS],
    )


def labelled_pairs(district_code: str | None = None) -> list[tuple[str, list[str], bool]]:
    """Staff corrections as (concern text, the texts of the issue's other concerns at
    labelling time, same matter?), oldest first; of one district's communities with a code."""
    rows = GroupingLabel.objects.all()
    if district_code is not None:
        rows = rows.filter(district__code=district_code)
    return [
        (text, list(texts), same)
        for text, texts, same in rows.order_by("created_at", "pk").values_list(
            "concern_text", "issue_texts", "same"
        )
    ]


def community_labels(community: Area) -> list[tuple[str, list[str], bool]]:
    rows = GroupingLabel.objects.filter(community=community).order_by("created_at", "pk")
    return [
        (text, list(texts), same)
        for text, texts, same in rows.values_list("concern_text", "issue_texts", "same")
    ]
