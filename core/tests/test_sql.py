"""The hand-written statements of yishi/sql.py read and write what the ORM would."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from concerns.intake.submit import submit_concern
from concerns.models import Category, Concern, Issue
from core import sql


def test_an_instance_read_by_hand_equals_the_orm_one(world):
    concern = submit_concern(
        community=world.c1, content="自来水发黄了", channel="web", phone="13800138000"
    )
    Issue.objects.filter(pk=concern.issue_id).update(accepted_at=timezone.now())
    by_orm = Issue.objects.get(pk=concern.issue_id)
    by_hand = sql.instance(Issue, "id = %s", [concern.issue_id], lock=True)
    assert by_hand is not None and not by_hand._state.adding
    for field in Issue._meta.concrete_fields:
        assert getattr(by_hand, field.attname) == getattr(by_orm, field.attname), field.name
    assert by_hand.accepted_at.tzinfo is not None
    assert sql.instance(Issue, "id = %s", [0]) is None


def test_an_update_gives_back_the_row_as_the_orm_reads_it_after(world):
    concern = submit_concern(
        community=world.c1, content="自来水发黄了", channel="web", phone="13800138000"
    )
    later = concern.received_at + timedelta(hours=1)
    updated = sql.update_returning(
        Issue,
        "concerns_count = concerns_count + 1, "
        "last_received_at = CASE WHEN last_received_at < %s THEN %s ELSE last_received_at END",
        "id = %s AND status = %s",
        [later, later, concern.issue_id, Issue.Status.NEW],
    )
    by_orm = Issue.objects.get(pk=concern.issue_id)
    assert updated is not None and by_orm.concerns_count == 2
    assert by_orm.last_received_at == later
    for field in Issue._meta.concrete_fields:
        assert getattr(updated, field.attname) == getattr(by_orm, field.attname), field.name
    missed = sql.update_returning(
        Issue, "concerns_count = 0", "id = %s AND status = %s", [concern.issue_id, "closed"]
    )
    assert missed is None and Issue.objects.get(pk=concern.issue_id).concerns_count == 2


def test_models_with_columns_it_does_not_convert_are_refused(db):
    with pytest.raises(TypeError):
        sql.instance(Category, "id = %s", [1])  # a boolean column
    with pytest.raises(TypeError):
        sql.update_returning(Category, "name = %s", "id = %s", ["x", 1])


def test_models_whose_save_does_more_are_not_inserted_by_hand(db):
    from places.models import Area

    with pytest.raises(TypeError):
        sql.insert([Area(code="X1", name="某区", kind=Area.Kind.DISTRICT)])
    assert not Area.objects.exists()


def test_timestamps_compare_as_the_orm_stores_them(world):
    concern = submit_concern(
        community=world.c1, content="自来水发黄了", channel="web", phone="13800138000"
    )
    before, after = concern.created_at - timedelta(seconds=1), concern.created_at
    query = "SELECT COUNT(*), MIN(created_at) FROM concerns_concern WHERE created_at >= %s"
    assert sql.one(query, [before])[0] == 1
    assert sql.one(query, [after + timedelta(microseconds=1)])[0] == 0
    assert sql.as_datetime(sql.one(query, [before])[1]) == concern.created_at


def test_as_datetime_reads_every_form_a_database_gives():
    moment = datetime(2026, 11, 26, 9, 30, 15, 250000, tzinfo=UTC)
    assert sql.as_datetime(moment) == moment
    assert sql.as_datetime(moment.replace(tzinfo=None)) == moment
    assert sql.as_datetime("2026-11-26 09:30:15.250000") == moment
    assert sql.as_datetime(None) is None


def test_for_update_only_where_rows_lock(db):
    assert (sql.for_update() != "") == connection.features.has_select_for_update
    assert sql.marks([1, 2, 3]) == "%s, %s, %s"


def test_statements_share_a_cursor_until_the_connection_is_replaced(transactional_db, settings):
    settings.DEBUG = False
    connection.force_debug_cursor = False
    assert sql._cursor(sql._db()) is sql._cursor(sql._db())
    assert sql.one("SELECT %s", [7]) == (7,)
    kept = sql._cursor(sql._db())
    connection._yishi_cursor = (object(), kept)  # kept for a connection since replaced
    assert sql._cursor(sql._db()) is not kept
    connection.close()  # as close_old_connections() does between requests
    assert sql.one("SELECT %s", [8]) == (8,)


def test_logged_queries_see_every_statement(db):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        sql.one("SELECT %s", [1])
        sql.run("SELECT %s", [2])
    assert len(queries.captured_queries) == 2


def test_a_refused_statement_raises_djangos_error_and_loses_nothing(world):
    from django.db import IntegrityError, transaction

    from concerns.models import Concern

    first = submit_concern(
        community=world.c1,
        content="自来水发黄了",
        channel="web",
        phone="13800138000",
        idempotency_key="same",
    )
    twin = Concern(
        tracking_code="ZZZZZZZZ",
        issue=first.issue,
        community=world.c1,
        channel="web",
        content="again",
        resident_key="tel:13800138000",
        idempotency_key="same",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        sql.insert([twin])
    assert Concern.objects.count() == 1
    assert sql.one("SELECT COUNT(*) FROM concerns_concern") == (1,)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_postgresql_prepares_the_statements_unless_told_not_to(transactional_db, settings):
    settings.DEBUG = False
    connection.force_debug_cursor = False
    connection.close()
    assert isinstance(sql._cursor(sql._db()), sql._Prepared)
    for n in range(3):
        assert sql.one("SELECT %s::int + 1", [n]) == (n + 1,)
    names = sql.one("SELECT COUNT(*) FROM pg_prepared_statements")
    assert names is not None and names[0] >= 1
    settings.DB_PREPARED_STATEMENTS = False
    connection.close()
    assert not isinstance(sql._cursor(sql._db()), sql._Prepared)
    assert sql.one("SELECT %s::int + 1", [4]) == (5,)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_postgresql_plans_the_prepared_statements_once_for_all_parameters(transactional_db):
    """core.sql's prepared statements get one generic plan each (not a plan per run while
    PostgreSQL thinks that cheaper), set for the session outside any transaction; the ORM's
    queries, bound on the client, are planned as before."""
    settings_debug = connection.force_debug_cursor
    connection.force_debug_cursor = False
    try:
        connection.close()
        with transaction.atomic():
            sql.one("SELECT %s::int", [1])
            # inside a transaction nothing is set: a rollback would undo it
            assert sql.one("SHOW plan_cache_mode") == ("auto",)
        assert sql.one("SELECT %s::int", [2]) == (2,)
        assert sql.one("SHOW plan_cache_mode") == ("force_generic_plan",)
        assert Concern.objects.filter(content="x").count() == 0
    finally:
        connection.force_debug_cursor = settings_debug
