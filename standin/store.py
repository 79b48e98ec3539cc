"""Stripe's own database for the stand-in: one SQLite file, JSON per object.

Not the app's database: the stand-in plays another company. Every unit of
work is one short transaction on its thread's connection (WAL, busy_timeout),
and writes begin IMMEDIATE, so threads and several gunicorn workers can share
one file and two payments of the same session cannot both win. Connections
are kept per thread: opening one costs 0.6 ms of CPU, forty times the
transaction itself.
"""

import json
import os
import secrets
import sqlite3
import string
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BUSY_TIMEOUT_MS = 30_000
_ALPHABET = string.ascii_letters + string.digits

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    created INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_objects_type ON objects (type, created);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    params_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    created INTEGER NOT NULL,
    body TEXT NOT NULL,
    delivery_status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_http_status INTEGER,
    last_error TEXT,
    delivered_at INTEGER
);
CREATE TABLE IF NOT EXISTS delivery_attempts (
    event_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    started REAL NOT NULL,
    duration_ms REAL NOT NULL,
    http_status INTEGER,
    error TEXT
);
CREATE INDEX IF NOT EXISTS ix_delivery_attempts_event ON delivery_attempts (event_id);
"""


def new_id(prefix: str, length: int = 24) -> str:
    """Stripe-looking ids: `cs_test_...`, `pi_...`; random, so never guessable."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


class Store:
    """Opens a connection per transaction; safe across threads and processes."""

    def __init__(self, path: str):
        self.path = path
        self._local = threading.local()
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        conn = self._connect()
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("BEGIN IMMEDIATE")
            for statement in filter(str.strip, SCHEMA.split(";")):
                conn.execute(statement)
            conn.execute("COMMIT")
        finally:
            conn.close()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.row_factory = sqlite3.Row
        return conn

    def _thread_connection(self) -> sqlite3.Connection:
        """This thread's connection (a forked worker opens its own)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.conn, local.pid = self._connect(), os.getpid()
        return local.conn

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator["Tx"]:
        """One unit of work; writers take the lock up front (no upgrade deadlocks)."""
        conn = self._thread_connection()
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield Tx(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def read(self):
        return self.transaction(write=False)

    def write(self):
        return self.transaction(write=True)


class Tx:
    """The operations one transaction needs; objects are plain dicts."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        # Who caused this unit of work (the event's `request` field), and the
        # events it recorded, to be delivered once the transaction commits.
        self.request_info: dict = {"id": None, "idempotency_key": None}
        self.new_event_ids: list[str] = []

    # objects ---------------------------------------------------------------
    def get(self, object_id: str, kind: str | None = None) -> dict | None:
        row = self.conn.execute(
            "SELECT type, data FROM objects WHERE id = ?", (object_id,)
        ).fetchone()
        if row is None or (kind and row["type"] != kind):
            return None
        return json.loads(row["data"])

    def insert(self, obj: dict) -> dict:
        self.conn.execute(
            "INSERT INTO objects (id, type, created, data) VALUES (?, ?, ?, ?)",
            (obj["id"], obj["object"], obj["created"], json.dumps(obj)),
        )
        return obj

    def update(self, obj: dict) -> dict:
        self.conn.execute("UPDATE objects SET data = ? WHERE id = ?", (json.dumps(obj), obj["id"]))
        return obj

    def find(self, kind: str, field: str, value: str, limit: int = 100) -> list[dict]:
        """Objects of a kind whose top-level field equals value, newest first."""
        if not field.isidentifier():
            raise ValueError(field)
        rows = self.conn.execute(
            "SELECT data FROM objects WHERE type = ? AND json_extract(data, ?) = ? "
            "ORDER BY created DESC, rowid DESC LIMIT ?",
            (kind, f"$.{field}", value, limit),
        ).fetchall()
        return [json.loads(row["data"]) for row in rows]

    def page(
        self,
        kind: str,
        *,
        limit: int,
        created: dict | None = None,
        starting_after: str | None = None,
        where: tuple[str, str] | None = None,
    ) -> list[dict]:
        """Up to `limit` objects of a kind, newest first, as Stripe's list endpoints page them:
        `created` bounds ({"gte": t, "lt": t, ...}), after the object `starting_after`,
        optionally where one top-level field equals a value."""
        sql = "SELECT data FROM objects WHERE type = ?"
        args: list = [kind]
        ops = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
        for op, bound in (created or {}).items():
            sql += f" AND created {ops[op]} ?"
            args.append(int(bound))
        if where:
            field, value = where
            if not field.isidentifier():
                raise ValueError(field)
            sql += " AND json_extract(data, ?) = ?"
            args += [f"$.{field}", value]
        if starting_after:
            sql += " AND (created, rowid) < (SELECT created, rowid FROM objects WHERE id = ?)"
            args.append(starting_after)
        sql += " ORDER BY created DESC, rowid DESC LIMIT ?"
        args.append(limit)
        return [json.loads(row["data"]) for row in self.conn.execute(sql, args).fetchall()]

    def all_of(self, kind: str, limit: int = 100) -> list[dict]:
        rows = self.conn.execute(
            "SELECT data FROM objects WHERE type = ? ORDER BY created DESC, rowid DESC LIMIT ?",
            (kind, limit),
        ).fetchall()
        return [json.loads(row["data"]) for row in rows]

    # idempotency -----------------------------------------------------------
    def idempotent_response(self, key: str) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM idempotency WHERE key = ?", (key,)).fetchone()

    def remember_response(
        self, key: str, method: str, path: str, params_hash: str, status: int, body: str, now: int
    ) -> None:
        self.conn.execute(
            "INSERT INTO idempotency (key, method, path, params_hash, status, body, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, method, path, params_hash, status, body, now),
        )

    # events ----------------------------------------------------------------
    def add_event(self, event: dict, delivery_status: str) -> None:
        self.conn.execute(
            "INSERT INTO events (id, type, created, body, delivery_status) VALUES (?, ?, ?, ?, ?)",
            (event["id"], event["type"], event["created"], json.dumps(event), delivery_status),
        )
        self.new_event_ids.append(event["id"])

    def event_row(self, event_id: str) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()

    def event_rows(self, limit: int = 100, kind: str | None = None) -> list[sqlite3.Row]:
        if kind:
            return self.conn.execute(
                "SELECT * FROM events WHERE type = ? ORDER BY seq DESC LIMIT ?", (kind, limit)
            ).fetchall()
        return self.conn.execute(
            "SELECT * FROM events ORDER BY seq DESC LIMIT ?", (limit,)
        ).fetchall()

    def record_delivery(
        self,
        event_id: str,
        status: str,
        http_status: int | None,
        error: str | None,
        delivered_at: int | None,
        started: float | None = None,
        duration_ms: float | None = None,
    ) -> None:
        self.conn.execute(
            "UPDATE events SET delivery_status = ?, attempts = attempts + 1, "
            "last_http_status = ?, last_error = ?, delivered_at = COALESCE(?, delivered_at) "
            "WHERE id = ?",
            (status, http_status, error, delivered_at, event_id),
        )
        if started is not None:
            self.conn.execute(
                "INSERT INTO delivery_attempts (event_id, attempt, started, duration_ms,"
                " http_status, error) SELECT id, attempts, ?, ?, ?, ? FROM events WHERE id = ?",
                (started, duration_ms, http_status, error, event_id),
            )

    def delivery_log(self, event_id: str) -> list[dict]:
        """Every attempt to deliver an event: when, how long until answered, and the answer."""
        rows = self.conn.execute(
            "SELECT attempt, started, duration_ms, http_status, error FROM delivery_attempts"
            " WHERE event_id = ? ORDER BY attempt",
            (event_id,),
        ).fetchall()
        return [dict(row) for row in rows]
