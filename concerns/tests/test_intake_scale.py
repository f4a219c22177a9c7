"""The grouping step's cost does not grow with a community's open issues: what it runs is pinned
in statements (never in seconds; the seconds are bench/intake.py's), at 30 and at 400 open
issues, past the postings read per key (store.POSTINGS_PER_KEY), in one community."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concerns.intake import model, store
from concerns.intake.submit import decision_candidates, submit_concern
from concerns.models import Issue, IssueKey

MATTERS = ["家里自来水发黄，没法用", "楼道里堆满杂物，过不去人", "路灯坏了，晚上黑灯瞎火"]
CHARS = "安福康乐和平兴华东西南北长青新民建光明德仁义春秋金银丰泰永宁盛昌隆庆祥瑞嘉宏鸿运"


def road(n: int) -> str:
    return f"{CHARS[n % len(CHARS)]}{CHARS[n // len(CHARS) % len(CHARS)]}路"


def crowd(world, first: int, last: int) -> None:
    """Open issues first … last-1 of community C1, each one of MATTERS at a road of its own,
    profiled, filed in the term index and counted in the district as the intake does."""
    names = store.place_names(world.c1)
    district = store.district_id(world.c1)
    readings = [model.read(road(n) + MATTERS[n % len(MATTERS)], names) for n in range(first, last)]
    issues = Issue.objects.bulk_create(
        Issue(community=world.c1, title=road(n), terms=model.fold("", reading))
        for n, reading in zip(range(first, last), readings, strict=True)
    )
    for issue, reading in zip(issues, readings, strict=True):
        store.index(world.c1.pk, issue.pk, model.index_keys(reading))
        store.count_terms(district, model.document_terms(reading))


def lookup_keys(world, text: str) -> list[str]:
    reading = model.read(text, store.place_names(world.c1))
    terms = model.document_terms(reading)
    documents, counts = store.term_counts(store.district_id(world.c1), terms)
    # as a submit weighs its concern: itself counted (concerns.intake.submit._read)
    own = {term: counts.get(term, 0) + 1 for term in terms}
    return model.lookup_keys(reading, model.idf(documents + 1, own))


def statements_of(monkeypatch, call):
    """The (statement, parameters) core.sql ran for the store during `call`."""
    ran = []
    real = store.sql.rows

    def spy(statement, params=()):
        ran.append((statement, list(params)))
        return real(statement, params)

    monkeypatch.setattr(store.sql, "rows", spy)
    result = call()
    monkeypatch.setattr(store.sql, "rows", real)
    return ran, result


def test_the_candidate_lookup_is_one_statement_at_30_and_at_400_open_issues(world, monkeypatch):
    crowd(world, 0, 30)
    keys = lookup_keys(world, road(6) + "自来水又发黄了")
    small, found = statements_of(monkeypatch, lambda: store.candidates(world.c1.pk, keys))
    crowd(world, 30, 400)
    assert IssueKey.objects.filter(key="#水质").count() > store.POSTINGS_PER_KEY
    large, found_large = statements_of(monkeypatch, lambda: store.candidates(world.c1.pk, keys))
    assert len(small) == len(large) == 1
    assert small[0][0] == large[0][0]  # the same statement
    water = Issue.objects.filter(title__in=[road(n) for n in range(0, 30, len(MATTERS))])
    assert {row[0] for row in found} == set(water.values_list("pk", flat=True))
    assert len(found_large) == store.MAX_CANDIDATES  # of 134 sharing the concern's matter
    # A specific key (the road, one posting) finds its issue however many newer ones there are.
    place = [key for key in keys if key.startswith("@")]
    assert place and [row[0] for row in store.candidates(world.c1.pk, place)] == [
        Issue.objects.get(title=road(6)).pk
    ]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_the_lookup_reads_the_index_not_the_tables(world, monkeypatch):
    """Each key's postings are an index range (community, key), newest first, and the issues
    are read by their id: no statement of the grouping step scans a table, so its cost is
    that of the keys, not of the open issues."""
    crowd(world, 0, 30)
    keys = lookup_keys(world, road(6) + "自来水又发黄了")
    ran, _ = statements_of(monkeypatch, lambda: store.candidates(world.c1.pk, keys))
    counted, _ = statements_of(
        monkeypatch, lambda: store.term_counts(store.district_id(world.c1), keys)
    )
    for statement, params in ran + counted:
        with connection.cursor() as cur:
            cur.execute("EXPLAIN QUERY PLAN " + statement, params)
            plan = [row[-1] for row in cur.fetchall()]
        assert not [step for step in plan if step.startswith("SCAN concerns_")], plan
        searches = [step for step in plan if step.startswith("SEARCH")]
        assert searches and all("INDEX" in step or "PRIMARY KEY" in step for step in searches)
        assert not [step for step in plan if "TEMP B-TREE FOR ORDER BY" in step and "k" in step]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's generic plan")
def test_the_best_issues_are_probed_one_pair_at_a_time_in_the_plan_kept(world, monkeypatch):
    """The issues found through rare keys are credited with the common keys they have by one
    index probe a pair, in the plan PostgreSQL keeps for the prepared statement (a generic
    plan, core.sql): never by one pass over all the community's postings, which a generic plan
    chose where they looked few and which grows with the community."""
    import psycopg

    crowd(world, 0, 400)  # past POSTINGS_PER_KEY: the matter's keys are common
    names = store.place_names(world.c1)
    reading = model.read(road(7) + "楼道里堆满杂物，过不去人，好几天了", names)
    terms = model.document_terms(reading)
    documents, counts = store.term_counts(store.district_id(world.c1), terms)
    weights = model.idf(documents + 1, {term: counts.get(term, 0) + 1 for term in terms})
    keys = model.lookup_keys(reading, weights)
    ran, found = statements_of(monkeypatch, lambda: decision_candidates(world.c1.pk, keys, weights))
    assert Issue.objects.get(title=road(7)).pk in [row[0] for row in found]
    [(statement, params)] = ran
    assert "best AS" in statement  # rare keys and common ones: the probes are in it
    cur = psycopg.Cursor(connection.connection)
    cur.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    cur.execute("ANALYZE concerns_issuekey")
    cur.execute("EXPLAIN " + statement, params)
    plan = "\n".join(row[0] for row in cur.fetchall())
    assert "Seq Scan on concerns_issuekey" not in plan, plan
    assert "issue_key_unique on concerns_issuekey x" in plan, plan


def report(world, n: int, phone: str) -> Issue:
    """A resident's report of the matter of crowd issue n (water, n divisible by 3), at its road."""
    return submit_concern(
        community=world.c1, content=road(n) + "自来水又发黄了，好几天了", channel="web", phone=phone
    ).issue


def test_a_joining_submit_runs_as_many_statements_at_400_open_issues_as_at_30(world):
    crowd(world, 0, 30)
    # warm: the content types are read once per process
    submit_concern(community=world.c2, content="路灯坏了", channel="web", phone="13900000000")
    with CaptureQueriesContext(connection) as small:
        joined = report(world, 27, "13800000001")
    assert joined.title == road(27) and joined.residents_count == 1
    crowd(world, 30, 400)
    with CaptureQueriesContext(connection) as large:
        joined = report(world, 399, "13800000002")
    assert joined.title == road(399) and joined.residents_count == 1
    assert len(small.captured_queries) == len(large.captured_queries) <= 9


def test_a_report_at_the_same_road_joins_its_issue_however_many_newer_issues_of_the_matter(world):
    """Candidates are ranked by the IDF of the keys shared (model.key_weights): the old issue,
    found through its road, outranks the newer issues of the matter elsewhere, though each key
    reads only its newest POSTINGS_PER_KEY postings."""
    crowd(world, 0, 30)
    first = report(world, 6, "13800000001")
    assert first.title == road(6)
    crowd(world, 30, 400)  # 134 issues of the matter, newer than the one at road 6
    assert report(world, 6, "13800000002").pk == first.pk


def test_with_weights_an_issue_sharing_a_rare_key_outranks_issues_sharing_more_common_ones(world):
    """store.candidates(weights=…): ranked by the weight of the keys shared, not their number."""
    crowd(world, 0, 30)
    water = Issue.objects.get(title=road(6)).pk  # at road 6, and no other issue is
    place = [k for k in model.index_keys(model.read(road(6) + MATTERS[0])) if k.startswith("@")]
    junk = [k for k in model.index_keys(model.read(MATTERS[1])) if k.startswith("_")][:3]
    keys = place + junk
    assert len(keys) == 4
    by_count = [row[0] for row in store.candidates(world.c1.pk, keys)]
    weights = {place[0]: 5.0, **dict.fromkeys(junk, 1.0)}
    by_weight = [row[0] for row in store.candidates(world.c1.pk, keys, weights=weights)]
    assert sorted(by_count) == sorted(by_weight)  # the same issues, ranked otherwise
    assert by_weight[0] == water  # 5 against 3 at most
    assert by_count[-1] == water  # 1 key against 2 or 3


def test_in_a_crowded_community_each_old_issue_is_a_candidate_of_a_report_at_its_road(world):
    """400 open issues, three matters at roads of their own: each matter has over
    POSTINGS_PER_KEY issues, so the oldest are not among the newest postings of their matter's
    words. A report at an old issue's road, in more words than its road's name, still finds
    that issue first (its road's postings are all read, and it is credited with its matter's
    words by looking them up) and joins it."""
    crowd(world, 0, 400)
    names = store.place_names(world.c1)
    district = store.district_id(world.c1)
    oldest = Issue.objects.filter(community=world.c1).order_by("pk")[:24]
    for n, issue in enumerate(oldest):
        assert issue.title == road(n)
        text = f"{road(n)}{MATTERS[n % len(MATTERS)]}，好几天了，麻烦管管"
        reading = model.read(text, names)
        terms = model.document_terms(reading)
        documents, counts = store.term_counts(district, terms)
        weights = model.idf(documents + 1, {t: counts.get(t, 0) + 1 for t in terms})
        keys = model.lookup_keys(reading, weights)
        found = decision_candidates(world.c1.pk, keys, weights)
        assert found[0][0] == issue.pk, (n, text)
    for n in (0, 7, 23):
        joined = submit_concern(
            community=world.c1,
            content=f"{road(n)}{MATTERS[n % len(MATTERS)]}，好几天了，麻烦管管",
            channel="web",
            phone=f"1380000{n:04d}",
        )
        assert joined.issue_id == oldest[n].pk


def test_rare_keys_are_those_few_enough_concerns_had_that_every_posting_is_read():
    weights = model.idf(1000, {"@路:安福": 3, "_自来水": 400, "#水质": 101})
    keys = ["@路:安福", "_自来水", "#水质"]
    assert model.rare_keys(keys, weights, 100) == {"@路:安福"}
    assert model.rare_keys(keys, weights, 101) == {"@路:安福", "#水质"}


def test_texts_of_different_lengths_run_statements_of_few_forms(world, monkeypatch):
    """The term counts' and the candidates' statements take keys in steps (empty ones filed
    under nothing), so PostgreSQL prepares and keeps a few forms, not one for each count of
    terms; the answers are those of the keys given."""
    crowd(world, 0, 30)
    district = store.district_id(world.c1)
    short, few = statements_of(monkeypatch, lambda: store.term_counts(district, ["_自来水"]))
    long, many = statements_of(
        monkeypatch, lambda: store.term_counts(district, ["_自来水", "_路灯", "@路:安福", "x"])
    )
    assert short[0][0] == long[0][0]
    assert few == (30, {"_自来水": 10}) and many[1] == {"_自来水": 10, "_路灯": 10}
    water = [k for k in model.index_keys(model.read(MATTERS[0])) if k.startswith("_")]
    one, found = statements_of(monkeypatch, lambda: store.candidates(world.c1.pk, water[:1]))
    two, found_two = statements_of(monkeypatch, lambda: store.candidates(world.c1.pk, water[:2]))
    assert one[0][0] == two[0][0]
    assert len(found) == len(found_two) == 10  # the ten water issues
