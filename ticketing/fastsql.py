"""Running the few statements of the hottest paths (a door scan, the API token
check, a checkout's hold) for a fraction of the usual CPU.

A statement is built once with SQLAlchemy Core and compiled once per
database; on PostgreSQL the compiled SQL then goes straight to psycopg, on
the session's own connection and transaction. SQLAlchemy's execution layer
costs more CPU than PostgreSQL spends on such a one-row statement (about
0.14 ms against 0.06 ms, measured in docs/benchmarks.md), and at the door
that difference is the throughput. Elsewhere (SQLite, the development
database) it is ordinary Core execution, so both run the same SQL.

Only for statements whose parameters are plain ints, strings, None and
aware datetimes, and that name every column they insert (no Python-side
column defaults are applied). Datetimes in results come back in UTC, as
UTCDateTime gives them.
"""

from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement

from ticketing.extensions import db

# (statement id, database, parameter names) -> (the statement, kept alive; its SQL)
_compiled: dict[tuple[int, str, frozenset], tuple[ClauseElement, str]] = {}


def first(statement: ClauseElement, params: dict[str, Any]):
    """The statement's first row (attribute access by column name), or None.

    Database errors come out as SQLAlchemy's (IntegrityError,
    OperationalError...), as they would through Core.
    """
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        result = connection.execute(statement, params)
        return result.first() if result.returns_rows else None
    sql = _postgresql_sql(statement, connection.dialect, params)
    driver_connection = connection.connection.driver_connection
    try:
        with driver_connection.cursor(row_factory=namedtuple_row) as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone() if cursor.description else None
    except psycopg.Error as exc:
        raise DBAPIError.instance(sql, params, exc, psycopg.Error) from exc
    return _in_utc(row)


def _postgresql_sql(statement: ClauseElement, dialect, params: dict) -> str:
    """The SQL SQLAlchemy would send, compiled once per statement and parameter names."""
    key = (id(statement), dialect.name, frozenset(params))
    entry = _compiled.get(key)
    if entry is None:
        compiled = statement.compile(dialect=dialect, column_keys=list(params))
        entry = _compiled[key] = (statement, str(compiled))
    return entry[1]


def _in_utc(row):
    if row is None or not any(isinstance(value, datetime) for value in row):
        return row
    return row._make(
        value.astimezone(UTC) if isinstance(value, datetime) else value for value in row
    )
