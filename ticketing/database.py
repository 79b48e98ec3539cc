"""Column types and per-connection settings shared by every domain.

Times are stored as aware UTC on both databases. SQLite transactions of
requests that write begin IMMEDIATE so that two checkouts cannot both
read-then-write; on
PostgreSQL every connection gets a lock timeout so that a long wait becomes
a clean "busy, try again" instead of a hung request.
"""

import sqlite3
from datetime import UTC, datetime

from flask import g, has_request_context, request
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

# Primary keys are 32-bit integers on PostgreSQL.
MAX_ID = 2**31 - 1


def database_id(text: str) -> int:
    """An id from a query string: a number past MAX_ID is no id (ValueError), not an overflow."""
    value = int(text)
    if not 1 <= value <= MAX_ID:
        raise ValueError("not a database id")
    return value


def utcnow() -> datetime:
    """The current time, aware, in UTC (used as a callable default)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always aware UTC in Python, whatever the backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _configure_connection(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Let SQLAlchemy emit BEGIN itself (see _begin_immediate).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _request_writes() else "BEGIN")


def _request_writes() -> bool:
    """SQLite: a request that may write takes the write lock when it begins.

    So checkout's read-then-write can never interleave with another writer
    (the reason for IMMEDIATE), nor can a CLI command's. Pages that only read
    (GET) begin deferred and, in WAL mode, neither wait for writers nor block
    them; a GET that goes on to write says so first (`writes_from_now`).
    """
    if not has_request_context():
        return True
    return request.method not in ("GET", "HEAD", "OPTIONS") or g.get("sqlite_writes", False)


def writes_from_now() -> None:
    """The request's next transactions will write: on SQLite they begin IMMEDIATE.

    A deferred transaction that read and then writes cannot wait for another
    writer: in WAL mode, once that writer commits, the upgrade fails at once
    with "database is locked" (the snapshot is stale), whatever busy_timeout
    says. Beginning IMMEDIATE waits for the writer instead, then reads fresh.
    """
    if has_request_context():
        g.sqlite_writes = True


def set_lock_timeout(engine: Engine, milliseconds: int) -> None:
    """Make PostgreSQL give up on a lock after `milliseconds` (per connection)."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _lock_timeout(dbapi_connection, connection_record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(milliseconds)}")
        dbapi_connection.commit()
