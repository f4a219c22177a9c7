"""Fixed statements for the few hot paths where building the query costs more than running it.

Django's ORM compiles every queryset anew: on the machines we measure on, about half a
millisecond of Python for a one-row lookup, which made the ORM half of what a resident's submit
cost. The handful of statements a submit repeats are written out here instead, with parameters,
through Django's own connection (so transactions, `CaptureQueriesContext` and the query-count
tests still see them). The SQL is the common dialect of PostgreSQL and SQLite (≥ 3.35 for
RETURNING); values are adapted the way the ORM adapts them, so stored dates compare alike.

Everything else uses the ORM: use these only where a benchmark shows the difference.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def _db() -> Any:
    """This thread's connection wrapper itself: each attribute read through Django's
    `connection` proxy looks the connection up again."""
    return connections[DEFAULT_DB_ALIAS]


def _params(db: Any, params: Iterable[Any]) -> list[Any]:
    adapted = []
    for value in params:
        if isinstance(value, Enum):  # a model's choices (TextChoices…) go in as their values
            value = value.value
        elif isinstance(value, datetime):
            value = db.ops.adapt_datetimefield_value(value)
        elif isinstance(value, date):
            value = db.ops.adapt_datefield_value(value)
        adapted.append(value)
    return adapted


class _Prepared:
    """PostgreSQL: psycopg's own cursor, binding parameters on the server, each statement
    prepared on its connection the first time it runs and from then on executed without
    being parsed and planned again (about a third of what PostgreSQL spent on a short
    statement). Errors come out as Django's, as through Django's cursor."""

    def __init__(self, db: Any) -> None:
        import psycopg

        raw = db.connection
        if raw.prepare_threshold is None:
            # Django turns psycopg's automatic preparing off (for connection poolers); the
            # ORM's queries stay unprepared, and only these ask for it, by name.
            raw.prepare_threshold = 2**31 - 1
        self.db, self.cursor = db, psycopg.Cursor(raw)
        self.generic = False

    def execute(self, sql: str, params: list[Any]) -> None:
        self.db.validate_no_broken_transaction()
        with self.db.wrap_database_errors:
            if not self.generic:
                self._plan_once()
            self.cursor.execute(sql, params, prepare=True)

    def _plan_once(self) -> None:
        """Plan each prepared statement once for all its parameters (a generic plan). Left to
        itself PostgreSQL plans a statement anew at each run while its first five plans looked
        cheaper than the generic one: the grouping candidates' statement then cost a
        millisecond of planning on every submit, or not, depending on the first five
        messages. The setting is the session's (outside a transaction, so that no rollback
        undoes it) and touches only statements with parameters bound on the server, which
        are these: Django binds its own on the client."""
        from psycopg import pq

        raw = self.cursor.connection
        if raw.autocommit and raw.info.transaction_status == pq.TransactionStatus.IDLE:
            raw.execute("SET plan_cache_mode = force_generic_plan")
            self.generic = True

    def __getattr__(self, name: str) -> Any:  # fetchone, fetchall, rowcount
        return getattr(self.cursor, name)


def _cursor(db: Any) -> Any:
    """A cursor of this thread's connection, kept for the next statement: making one (Django's
    wrapper over psycopg's) cost a third of a short statement. A new one is made when the
    connection was replaced, and every time while queries are being logged (DEBUG, the
    query-count tests), so the logging wrapper sees each statement. On PostgreSQL, with
    settings.DB_PREPARED_STATEMENTS, the kept cursor prepares its statements (_Prepared)."""
    if db.queries_logged:
        return db.cursor()
    db.ensure_connection()
    kept = getattr(db, "_yishi_cursor", None)
    if kept is None or kept[0] is not db.connection:
        prepared = db.vendor == "postgresql" and settings.DB_PREPARED_STATEMENTS
        kept = (db.connection, _Prepared(db) if prepared else db.cursor())
        db._yishi_cursor = kept
    return kept[1]


def _execute(sql: str, params: Iterable[Any]) -> Any:
    db = _db()
    cur = _cursor(db)
    cur.execute(sql, _params(db, params))
    return cur


def one(sql: str, params: Iterable[Any] = ()) -> tuple | None:
    """The first row of a query, or None."""
    return _execute(sql, params).fetchone()


def rows(sql: str, params: Iterable[Any] = ()) -> list[tuple]:
    return _execute(sql, params).fetchall()


def run(sql: str, params: Iterable[Any] = ()) -> int:
    """Run a statement; the number of rows it changed."""
    return _execute(sql, params).rowcount


def marks(values: Sequence[Any]) -> str:
    """ "%s, %s, %s" for an IN (…) list of these values."""
    return ", ".join(["%s"] * len(values))


def for_update(*, no_key: bool = False) -> str:
    """ " FOR UPDATE" where the database locks rows (PostgreSQL); SQLite locks the whole
    database for a writing transaction and has no such clause. `no_key`: " FOR NO KEY
    UPDATE", a lock that other lockers wait for but rows referencing the locked one do not
    (inserting a row with a foreign key to it takes a key-share lock)."""
    if not connection.features.has_select_for_update:
        return ""
    return " FOR NO KEY UPDATE" if no_key else " FOR UPDATE"


def as_datetime(value: Any) -> datetime | None:
    """A timestamp read by hand: PostgreSQL gives an aware datetime, SQLite a naive one in
    UTC (a column it knows is a timestamp) or the ORM's UTC text (an aggregate of one)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment


M = TypeVar("M", bound=models.Model)

_SIMPLE = (
    models.AutoField,
    models.BigAutoField,
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.ForeignKey,
    models.DateTimeField,
    # Stored as its name (text); the model's descriptor makes the file object on access.
    models.FileField,
)


@cache
def _columns(model: type[models.Model], *, with_key: bool) -> tuple[list[Any], str]:
    """A model's concrete fields (with or without its automatic key) and their quoted
    column names, worked out once per model."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if with_key or f is not meta.auto_field]
    return fields, ", ".join(connection.ops.quote_name(f.column) for f in fields)


@cache
def _plain_columns(model: type[models.Model]) -> tuple[list[Any], str]:
    fields, columns = _columns(model, with_key=True)
    if not all(isinstance(field, _SIMPLE) for field in fields):
        raise TypeError(f"{model.__name__} has columns core.sql does not convert")
    return fields, columns


def _from_row(model: type[M], fields: list[Any], row: tuple | None) -> M | None:
    if row is None:
        return None
    values = [
        as_datetime(value) if isinstance(field, models.DateTimeField) else value
        for field, value in zip(fields, row, strict=True)
    ]
    # All the values, in field order: from_db() passes them straight to the constructor.
    return model.from_db(DEFAULT_DB_ALIAS, (), values)


def instance(model: type[M], where: str, params: Iterable[Any], *, lock: bool = False) -> M | None:
    """One row of `model` as an instance (every column), read with `where` ("id = %s"),
    row-locked with `lock`: what `Model.objects.select_for_update().filter(…).first()` gives,
    without compiling the query. For models of plain columns only (text, numbers, foreign
    keys, timestamps, file names), whose values need no conversion but SQLite's timestamps."""
    fields, columns = _plain_columns(model)
    statement = f"SELECT {columns} FROM {model._meta.db_table} WHERE {where}"  # noqa: S608
    return _from_row(model, fields, one(statement + (for_update() if lock else ""), params))


def update_returning(
    model: type[M], assignments: str, where: str, params: Iterable[Any]
) -> M | None:
    """UPDATE one row of `model` ("SET {assignments} WHERE {where}", parameters in that
    order) and give it back as an instance as the update left it (every column); None when
    `where` matched no row. The row stays locked until the transaction ends. Plain columns
    only, as instance()."""
    fields, columns = _plain_columns(model)
    statement = f"UPDATE {model._meta.db_table} SET {assignments} WHERE {where} RETURNING {columns}"  # noqa: S608
    return _from_row(model, fields, one(statement, params))


def insert(objs: Sequence[M], *, ignore_conflicts: bool = False) -> Sequence[M]:
    """Insert new instances of one model in one statement, as `save()` or `bulk_create()`
    would (defaults, auto_now, every field's own conversion), and give them their keys.
    Not for models whose save() does more (it would be skipped); no signals are sent.
    With `ignore_conflicts`, rows meeting a unique constraint are skipped and no instance
    learns its key (the database does not say which rows went in)."""
    if not objs:
        return objs
    model = type(objs[0])
    if model.save is not models.Model.save:
        raise TypeError(f"{model.__name__}.save() does more than insert: use it")
    fields, columns = _columns(model, with_key=False)
    db = _db()
    values = [
        field.get_db_prep_save(field.pre_save(obj, True), db) for obj in objs for field in fields
    ]
    row = f"({marks(fields)})"
    statement = (
        f"INSERT INTO {model._meta.db_table} ({columns}) VALUES {', '.join([row] * len(objs))}"  # noqa: S608
    )
    if ignore_conflicts:
        run(statement + " ON CONFLICT DO NOTHING", values)
        return objs
    keys = rows(statement + f" RETURNING {db.ops.quote_name(model._meta.pk.column)}", values)
    for obj, (key,) in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS
    return objs
