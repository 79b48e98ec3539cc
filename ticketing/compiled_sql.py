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

from collections import namedtuple
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement

from ticketing.extensions import db


class _Prepared:
    """One statement as PostgreSQL gets it: its SQL and, once seen, its row shape."""

    __slots__ = ("statement", "sql", "shape_known", "row_class")

    def __init__(self, statement: ClauseElement, sql: str):
        self.statement = statement  # kept alive: its id() is the cache key
        self.sql = sql
        self.shape_known = False
        self.row_class = None  # a namedtuple of the result's columns; None: no rows


# (statement id, database, parameter names) -> _Prepared
_compiled: dict[tuple[int, str, frozenset], _Prepared] = {}


def first(statement: ClauseElement, params: dict[str, Any]):
    """The statement's first row (attribute access by column name), or None.

    Database errors come out as SQLAlchemy's (IntegrityError,
    OperationalError...), as they would through Core.
    """
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        result = connection.execute(statement, params)
        return result.first() if result.returns_rows else None
    prepared = _postgresql(statement, connection.dialect, params)
    driver_connection = connection.connection.driver_connection
    try:
        # Plain tuple rows: psycopg's namedtuple rows rebuild the column
        # descriptions on every execution; the shape is learnt once here.
        with driver_connection.cursor() as cursor:
            cursor.execute(prepared.sql, params)
            if not prepared.shape_known:
                _learn_shape(prepared, cursor.description)
            row = cursor.fetchone() if prepared.row_class is not None else None
    except psycopg.Error as exc:
        raise DBAPIError.instance(prepared.sql, params, exc, psycopg.Error) from exc
    return None if row is None else prepared.row_class._make(_in_utc(row))


def _postgresql(statement: ClauseElement, dialect, params: dict) -> _Prepared:
    """The SQL SQLAlchemy would send, compiled once per statement and parameter names."""
    key = (id(statement), dialect.name, frozenset(params))
    prepared = _compiled.get(key)
    if prepared is None:
        compiled = statement.compile(dialect=dialect, column_keys=list(params))
        prepared = _compiled[key] = _Prepared(statement, str(compiled))
    return prepared


def _learn_shape(prepared: _Prepared, description) -> None:
    if description is not None:
        prepared.row_class = namedtuple("Row", [column.name for column in description])
    prepared.shape_known = True


def _in_utc(row: tuple):
    if not any(isinstance(value, datetime) for value in row):
        return row
    return tuple(value.astimezone(UTC) if isinstance(value, datetime) else value for value in row)
