"""Running the few statements of the hottest paths (a door scan, the API token
check, a checkout's hold) for a fraction of the usual CPU.

A statement is built once with SQLAlchemy Core and compiled once per
database and set of parameter names; on PostgreSQL the compiled SQL then
goes straight to psycopg, on the session's own connection and transaction.
SQLAlchemy's execution layer costs more CPU than PostgreSQL spends on such a
one-row statement (about 0.14 ms against 0.06 ms, measured in
docs/benchmarks.md), and at the door that difference is the throughput.
Elsewhere (SQLite, the development database) it is ordinary Core execution,
so both run the same SQL.

Both databases behave the same way, checked when a statement is first built
for a set of parameter names (not on every run):
- a column an INSERT leaves out gets the table's default (the model's
  `default=`, a function of the statement's parameters too), as Core gives it;
- every placeholder must have a parameter: else `MissingParameters`, naming
  the missing ones;
- naive datetimes are refused (`ValueError`), as `UTCDateTime` refuses them.

Parameters are plain ints, strings, bools, None and aware datetimes.
Datetimes in results come back in UTC, as UTCDateTime gives them.
`first()` is for what returns a row (SELECT, or a write with RETURNING);
`execute()` for a write whose rows nobody reads.
"""

from collections import namedtuple
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement

from ticketing.extensions import db


class MissingParameters(ValueError):
    """The statement has placeholders the parameters do not fill."""


class _Compiled:
    """One statement as one database gets it: its SQL, the parameters it
    fills itself (table defaults, literals) and, once seen, its row shape."""

    __slots__ = ("statement", "sql", "constants", "defaults", "shape_known", "row_class")

    def __init__(self, statement: ClauseElement, sql: str, constants: dict, defaults: dict):
        self.statement = statement  # kept alive: its id() is the cache key
        self.sql = sql
        self.constants = constants  # literal values written into the statement
        self.defaults = defaults  # parameter name -> the column's default (value or callable)
        self.shape_known = False
        self.row_class = None  # a namedtuple of the result's columns; None: no rows


# (statement id, database, parameter names) -> _Compiled
_compiled: dict[tuple[int, str, frozenset], _Compiled] = {}


def first(statement: ClauseElement, params: dict[str, Any]):
    """The statement's first row (attribute access by column name), or None.

    Database errors come out as SQLAlchemy's (IntegrityError,
    OperationalError...), as they would through Core.
    """
    return _run(statement, params, fetch=True)


def execute(statement: ClauseElement, params: dict[str, Any]) -> None:
    """Run a write (UPDATE, INSERT, SAVEPOINT...) whose result nobody reads."""
    _run(statement, params, fetch=False)


def _run(statement: ClauseElement, params: dict[str, Any], *, fetch: bool):
    _refuse_naive_datetimes(params)
    connection = db.session.connection()
    compiled = _build(statement, connection.dialect, params)
    if connection.dialect.name != "postgresql":
        # Core applies the table's defaults and literals itself.
        result = connection.execute(statement, params)
        return result.first() if fetch and result.returns_rows else None
    values = _with_defaults(compiled, params)
    driver_connection = connection.connection.driver_connection
    try:
        # Plain tuple rows: psycopg's namedtuple rows rebuild the column
        # descriptions on every execution; the shape is learnt once here.
        with driver_connection.cursor() as cursor:
            cursor.execute(compiled.sql, values)
            if not fetch:
                return None
            if not compiled.shape_known:
                _learn_shape(compiled, cursor.description)
            row = cursor.fetchone() if compiled.row_class is not None else None
    except psycopg.Error as exc:
        raise DBAPIError.instance(compiled.sql, values, exc, psycopg.Error) from exc
    return None if row is None else compiled.row_class._make(_in_utc(row))


def _build(statement: ClauseElement, dialect, params: dict) -> _Compiled:
    """The SQL SQLAlchemy would send, compiled and checked once per statement,
    database and parameter names."""
    key = (id(statement), dialect.name, frozenset(params))
    compiled = _compiled.get(key)
    if compiled is None:
        compiled = _compiled[key] = _compile(statement, dialect, params)
    return compiled


def _compile(statement: ClauseElement, dialect, params: dict) -> _Compiled:
    sql = statement.compile(dialect=dialect, column_keys=list(params))
    defaults = _table_defaults(sql)
    constants = {
        name: bind.effective_value
        for name, bind in _binds(sql)
        if name not in params and name not in defaults and not bind.required
    }
    filled = {*params, *defaults, *constants}
    missing = sorted({name for name, _ in _binds(sql) if name not in filled})
    if missing:
        raise MissingParameters(f"No value for the parameters: {', '.join(missing)}.")
    return _Compiled(statement, str(sql), constants, defaults)


def _binds(sql):
    """(name, bind parameter) for every placeholder of the compiled statement."""
    return [(name, bind) for bind, name in sql.bind_names.items()]


def _table_defaults(sql) -> dict:
    """The columns an INSERT (or UPDATE) leaves out and whose table default
    SQLAlchemy computes in Python: parameter name -> value or callable."""
    defaults = {}
    for columns, attribute in ((sql.insert_prefetch, "default"), (sql.update_prefetch, "onupdate")):
        for column in columns:
            default = getattr(column, attribute)
            # SQLAlchemy wraps callables to take its execution context; none needs it.
            defaults[column.key] = default.arg if default.is_scalar else _Computed(default.arg)
    return defaults


class _Computed:
    """A column default SQLAlchemy computes in Python (it takes an execution
    context, which may ask for the statement's parameters)."""

    __slots__ = ("function",)

    def __init__(self, function):
        self.function = function

    def value(self, params: dict):
        return self.function(_Context(params))


class _Context:
    """What a context-sensitive default reads of Core's execution context:
    the statement's parameters (the search keys are computed from them)."""

    __slots__ = ("params",)

    def __init__(self, params: dict):
        self.params = params

    def get_current_parameters(self) -> dict:
        return self.params


def _with_defaults(compiled: _Compiled, params: dict) -> dict:
    if not compiled.defaults and not compiled.constants:
        return params
    values = dict(compiled.constants)
    for name, default in compiled.defaults.items():
        values[name] = default.value(params) if isinstance(default, _Computed) else default
    values.update(params)
    return values


def _refuse_naive_datetimes(params: dict) -> None:
    for name, value in params.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError(f"naive datetime refused for {name!r}: use aware UTC times")


def _learn_shape(compiled: _Compiled, description) -> None:
    if description is not None:
        compiled.row_class = namedtuple("Row", [column.name for column in description])
    compiled.shape_known = True


def _in_utc(row: tuple):
    if not any(isinstance(value, datetime) for value in row):
        return row
    return tuple(value.astimezone(UTC) if isinstance(value, datetime) else value for value in row)
