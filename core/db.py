"""Column types and mixins shared by every model."""

import os
import sqlite3
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, TypeDecorator, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.expression import FunctionElement

from core.timeutil import utcnow


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC in and out, on PostgreSQL and on SQLite alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def sql_in(column: str, values) -> str:
    """A CHECK constraint's ``column IN ('a', 'b')`` for a tuple of known codes."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class TimestampMixin:
    #: When the row was created (UTC).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    #: When the row last changed (UTC).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """SQLite: enforce foreign keys as PostgreSQL does; wait for a lock rather than fail."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.close()


@event.listens_for(Engine, "do_connect")
def _name_postgresql_connections(dialect, _record, _cargs, cparams):
    """PostgreSQL: name each connection after its process (``agrobridge:<pid>``), so
    ``pg_stat_activity`` tells which gunicorn worker or job holds a lock or a transaction;
    and turn JIT compilation off for it."""
    if dialect.name == "postgresql":
        cparams.setdefault("application_name", f"agrobridge:{os.getpid()}")
        # JIT compiles any plan whose estimated cost is high, which at a million products is
        # every broad search: it took 370 of a facet search's 553 ms, for queries that run in
        # tens of ms. DATABASE_JIT=1 leaves the server's setting.
        if os.environ.get("DATABASE_JIT", "").lower() not in ("1", "true", "yes", "on"):
            cparams["options"] = f"{cparams.get('options', '')} -c jit=off".strip()


#: Indexes that migrations create by hand for PostgreSQL only (GIN on tsvector, pg_trgm):
#: no model declares them, so schema comparison must not count them as differences. Each
#: module adds its own with ``migration_only_indexes``.
MIGRATION_ONLY_INDEXES: set[str] = set()


#: Tables the same way: PostgreSQL-only structures that triggers keep (no model writes them).
MIGRATION_ONLY_TABLES: set[str] = set()


def migration_only_indexes(*names: str) -> None:
    MIGRATION_ONLY_INDEXES.update(names)


def migration_only_tables(*names: str) -> None:
    MIGRATION_ONLY_TABLES.update(names)


def include_in_schema_comparison(obj, name, type_, reflected, compare_to) -> bool:
    if not reflected or compare_to is not None:
        return True
    if type_ == "index":
        return name not in MIGRATION_ONLY_INDEXES
    return not (type_ == "table" and name in MIGRATION_ONLY_TABLES)


class month_of(FunctionElement):  # noqa: N801 - used like a SQL function
    """``YYYY-MM`` (UTC) of a timestamp column, on PostgreSQL and SQLite alike."""

    inherit_cache = True
    name = "month_of"
    type = String()


@compiles(month_of, "postgresql")
def _month_of_postgresql(element, compiler, **kw):
    (column,) = element.clauses
    return f"to_char({compiler.process(column, **kw)} AT TIME ZONE 'UTC', 'YYYY-MM')"


@compiles(month_of)
def _month_of_sqlite(element, compiler, **kw):
    (column,) = element.clauses
    return f"strftime('%Y-%m', {compiler.process(column, **kw)})"


# ---------------------------------------------------------------- the outermost commit

_ON_COMMIT: list = []


def after_outer_commit(func):
    """Register ``func(session)`` to run once a transaction has really committed.

    SQLAlchemy sends ``after_commit`` when a savepoint is released too: work announced there
    (jobs, cache versions) would run before its data is committed.
    """
    if func not in _ON_COMMIT:
        _ON_COMMIT.append(func)
    return func


@event.listens_for(Session, "after_commit")
def _outer_commit(session):
    if session.in_nested_transaction():
        return
    for func in _ON_COMMIT:
        func(session)


# ---------------------------------------------------------------- facts that stay true


def session_memo(name: str) -> dict:
    """A dict on the request's session for facts that, once read or written, stay true to the
    end of the request — a pair's export contract, an order's frozen rate — so that placing
    an order and writing its answer look each up once. Any rollback empties it: what the
    rolled-back transaction wrote is gone."""
    from core.extensions import db

    return db.session.info.setdefault(f"{_MEMO}{name}", {})


_MEMO = "memo:"


@event.listens_for(Session, "after_soft_rollback")
def _forget_memos(session, _previous_transaction):
    for key in [key for key in session.info if isinstance(key, str) and key.startswith(_MEMO)]:
        del session.info[key]
