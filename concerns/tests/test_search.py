"""Staff text search over issues: Chinese words found (jieba on both sides), every word
required, and never an issue outside the caller's scope. Runs on SQLite (LIKE) and on
PostgreSQL (full-text search); each database's own path has its own test."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerns import actions, search
from concerns.intake import submit as intake
from concerns.models import Concern, Issue
from concerns.tests.test_api import bearer

pytestmark = pytest.mark.django_db


def concern(world, places, text, building, phone):
    ours = building.compound.grid.parent_id == world.c1.pk
    return intake.submit_concern(
        community=world.c1 if ours else world.c2,
        content=text,
        channel=Concern.Channel.PHONE,
        phone=phone,
        building=building,
        actor=world.staff if ours else world.staff2,
    )


@pytest.fixture
def matters(world, places):
    """Four matters: two in grid g1, one in g2 (all community c1), one in community c2."""
    b = places["b"]
    return {
        "lift": concern(world, places, "电梯坏了一个星期，老人下不了楼", b[5], "13900000001").issue,
        "leak": concern(world, places, "楼顶漏水，家里墙皮都泡了", b[3], "13900000002").issue,
        "east": concern(
            world, places, "东苑电梯加装什么时候开始", places["east1"], "13900000003"
        ).issue,
        "other": concern(
            world, places, "电梯天天停运，物业不管", places["other1"], "13900000004"
        ).issue,
    }


def found(client, user, q):
    client.force_login(user)
    page = client.get(reverse("concerns:issues"), {"q": q, "status": "open"})
    assert page.status_code == 200
    return {issue.pk for issue in page.context["page"]}


def test_a_chinese_word_finds_the_issues_of_the_scope_only(client, world, matters):
    assert len({m.pk for m in matters.values()}) == 4
    lifts = {matters["lift"].pk, matters["east"].pk}
    assert found(client, world.staff, "电梯") == lifts  # not the other community's lift
    assert found(client, world.staff2, "电梯") == {matters["other"].pk}
    assert found(client, world.grid_worker, "电梯") == {matters["lift"].pk}  # grid g1 only
    assert found(client, world.grid_worker2, "电梯") == {matters["east"].pk}
    assert found(client, world.outsider, "电梯") == set()
    assert found(client, world.street_officer, "电梯") == lifts | {matters["other"].pk}


def test_every_word_is_required(client, world, matters):
    assert found(client, world.staff, "3号楼 漏水") == {matters["leak"].pk}
    assert found(client, world.staff, "5号楼 漏水") == set()
    assert found(client, world.staff, "电梯 加装") == {matters["east"].pk}
    assert found(client, world.staff, "漏水") == {matters["leak"].pk}


@pytest.mark.parametrize("hostile", ["%", "_", "！！？", "' OR 1=1 --", "\x00", " ", "电梯" * 80])
def test_hostile_or_empty_queries_find_nothing_they_should_not(client, world, matters, hostile):
    seen = found(client, world.staff2, hostile)
    assert seen <= {matters["other"].pk}  # whatever it is, never beyond the scope
    if hostile.strip() in ("%", "_", "！！？"):
        assert seen == set()


def test_a_concern_registered_after_a_search_is_found_by_the_next(client, world, places, matters):
    assert found(client, world.staff, "水箱") == set()
    later = concern(world, places, "二次供水水箱好久没洗", places["b"][7], "13900000005")
    assert found(client, world.staff, "水箱") == {later.issue_id}
    # An issue changed after it was indexed is indexed again: a new title is found.
    issue = Issue.objects.get(pk=matters["leak"].pk)
    assert issue.search_indexed_at is not None
    actions.retitle_issue(issue, title="3号楼楼顶防水层老化", actor=world.staff)
    assert found(client, world.staff, "防水层") == {issue.pk}


def test_the_search_box_is_on_the_staff_issue_list(client, world, matters):
    client.force_login(world.staff)
    page = client.get(reverse("concerns:issues"), {"q": "电梯"}).content.decode()
    assert 'name="q"' in page and 'type="search"' in page and 'value="电梯"' in page


def test_the_api_takes_q_within_the_callers_scope(client, world, matters):
    listing = client.get("/api/v1/issues", {"q": "电梯"}, **bearer(world.staff)).json()
    assert {i["id"] for i in listing["items"]} == {matters["lift"].pk, matters["east"].pk}
    listing = client.get("/api/v1/issues", {"q": "3号楼 漏水"}, **bearer(world.staff)).json()
    assert [i["id"] for i in listing["items"]] == [matters["leak"].pk]
    listing = client.get("/api/v1/issues", {"q": "电梯"}, **bearer(world.grid_worker2)).json()
    assert [i["id"] for i in listing["items"]] == [matters["east"].pk]
    assert client.get("/api/v1/issues", {"q": "电梯"}).status_code == 401


def test_query_words_are_cut_by_jieba():
    assert search.query_words("3号楼 漏水！") == ["3", "号楼", "漏水"]
    assert search.query_words("！！  ") == []
    assert len(search.query_words("电梯 漏水 " * 40)) <= search.MAX_WORDS
    assert "电梯" in search.segment("老旧小区加装电梯").split()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_postgresql_uses_full_text_search_on_its_index(world, matters):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'issue_search_fts'")
        assert "to_tsvector" in cursor.fetchone()[0]
    with CaptureQueriesContext(connection) as queries:
        rows = list(search.search(Issue.objects.all(), "电梯"))
    assert {i.pk for i in rows} == {matters["lift"].pk, matters["east"].pk, matters["other"].pk}
    assert "@@" in queries[-1]["sql"] and "to_tsvector" in queries[-1]["sql"]
    # Words are whole words in PostgreSQL: "号" is no word of "3 号楼".
    assert not list(search.search(Issue.objects.all(), "号"))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite fallback")
def test_sqlite_falls_back_to_like_over_the_words(world, matters):
    with CaptureQueriesContext(connection) as queries:
        rows = list(search.search(Issue.objects.all(), "电梯"))
    assert {i.pk for i in rows} == {matters["lift"].pk, matters["east"].pk, matters["other"].pk}
    assert "LIKE" in queries[-1]["sql"]


def test_the_command_indexes_every_issue(world, matters):
    from io import StringIO

    from django.core.management import call_command

    Issue.objects.update(search_text="", search_indexed_at=None)
    out = StringIO()
    call_command("index_issues", stdout=out)
    assert out.getvalue().strip() == "4 issues indexed"
    assert all("电梯" in i.search_text for i in Issue.objects.filter(title__contains="电梯"))
    call_command("index_issues", stdout=out)
    assert out.getvalue().strip().endswith("0 issues indexed")
    call_command("index_issues", "--all", stdout=out)
    assert out.getvalue().strip().endswith("4 issues indexed")
