"""Seeding benchmark data fast: set-based INSERT ... SELECT generate_series in
PostgreSQL itself (no row crosses the socket), in batches, with a progress bar.

Ticket codes are real-looking: 26 characters of the base32 alphabet, derived
from an md5 of the ticket id, so the door accepts them. The seeding session
runs with triggers off (`session_replication_role = replica`) and rebuilds
what the triggers keep (summary counters, seats claimed) once at the end: a million trigger
firings would take longer than the benchmark itself.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import text

PRICE_MINOR = 2500
T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
# 26 hex digits, upper case, with 0 1 8 9 (not base32) mapped to W X Y Z.
CODE_SQL = "translate(upper(left(md5('bench-ticket-' || ({id})::text), 26)), '0189', 'WXYZ')"


def token_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass
class World:
    organization_id: int
    event_id: int
    tier_id: int
    organizer_token: str
    door_tokens: list[str] = field(default_factory=list)
    floor_tokens: list[str] = field(default_factory=list)


def _insert_returning_id(conn, sql: str, **params) -> int:
    return conn.execute(text(sql + " RETURNING id"), params).scalar_one()


def _token(conn, user_id: int, org_id: int, role: str, value: str) -> str:
    conn.execute(
        text(
            "INSERT INTO api_tokens (token_hash, prefix, name, user_id, organization_id, role,"
            " created_at) VALUES (:h, :p, :n, :u, :o, :r, now())"
        ),
        {"h": token_hash(value), "p": value[:12], "n": value, "u": user_id, "o": org_id, "r": role},
    )
    return value


def base(engine, *, capacity: int, door_tokens: int = 16, floor_tokens: int = 16) -> World:
    """An organization with an organizer and door staff, a published event, one tier."""
    with engine.begin() as conn:
        org = _insert_returning_id(
            conn,
            "INSERT INTO organizations (name, slug, created_at) VALUES ('Bench', 'bench', now())",
        )
        users = {}
        for role in ("organizer", "door"):
            users[role] = _insert_returning_id(
                conn,
                "INSERT INTO users (email, name, password_hash, active, created_at)"
                " VALUES (:e, :n, 'x', true, now())",
                e=f"{role}@bench.test",
                n=f"Bench {role}",
            )
            conn.execute(
                text(
                    "INSERT INTO memberships (user_id, organization_id, role, created_at)"
                    " VALUES (:u, :o, :r, now())"
                ),
                {"u": users[role], "o": org, "r": role},
            )
        event = _insert_returning_id(
            conn,
            "INSERT INTO events (organization_id, name, slug, description, venue, starts_at,"
            " timezone, currency, goal_minor, beneficiary, published, created_at)"
            " VALUES (:o, 'Benefit night', 'benefit-night', '', 'Hall', :s, 'Europe/Istanbul',"
            " 'USD', 100000000, 'Refugee aid', true, now())",
            o=org,
            s=T0 + timedelta(days=60),
        )
        tier = _insert_returning_id(
            conn,
            "INSERT INTO ticket_types (event_id, name, description, price_minor, capacity,"
            " pay_what_you_want, max_per_order, position, created_at)"
            " VALUES (:e, 'Standard', '', :p, :c, false, 10, 0, now())",
            e=event,
            p=PRICE_MINOR,
            c=capacity,
        )
        world = World(org, event, tier, _token(conn, users["organizer"], org, "organizer",
                                               "tk_bench_organizer"))  # fmt: skip
        world.door_tokens = [
            _token(conn, users["door"], org, "door", f"tk_bench_door_{i}")
            for i in range(door_tokens)
        ]
        world.floor_tokens = [
            _token(conn, users["door"], org, "door", f"tk_bench_floor_{i}")
            for i in range(floor_tokens)
        ]
    return world


def _max_id(conn, table: str) -> int:
    return conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one()


def _batch(conn, world: World, first_order: int, orders: int, per_order: int, ids: dict):
    """`orders` paid orders of `per_order` tickets each, with their ledger entries."""
    params = {
        "lo": first_order,
        "hi": first_order + orders - 1,
        "per": per_order,
        "price": PRICE_MINOR,
        "event": world.event_id,
        "tier": world.tier_id,
        "t0": T0,
        "order0": ids["orders"],
        "line0": ids["order_lines"],
        "ticket0": ids["tickets"],
        "ledger0": ids["ledger_entries"],
    }
    statements = [
        # Every fifth order adds a $5 donation.
        # search_key: the buyer's name and email as ticketing/search_text.py folds them.
        """INSERT INTO orders (id, event_id, buyer_name, buyer_email, search_key, status, source,
             currency, tickets_minor, donation_minor, total_minor, refunded_minor,
             access_token_hash, needs_attention, attention_reason, email_status, email_attempts,
             email_error, created_at, paid_at)
           SELECT :order0 + g, :event, 'Buyer ' || g, 'buyer' || g || '@example.test',
             'buyer ' || g || chr(10) || 'buyer' || g || '@example.test', 'paid',
             'online', 'USD', :per * :price, CASE WHEN g % 5 = 0 THEN 500 ELSE 0 END,
             :per * :price + CASE WHEN g % 5 = 0 THEN 500 ELSE 0 END, 0, md5(g::text), false,
             '', 'sent', 1, '', :t0 + g * interval '1 second', :t0 + g * interval '1 second'
           FROM generate_series(:lo, :hi) AS g""",
        """INSERT INTO order_lines (id, order_id, ticket_type_id, quantity, unit_price_minor)
           SELECT :line0 + g, :order0 + g, :tier, :per, :price FROM generate_series(:lo, :hi) g""",
        f"""INSERT INTO tickets (id, code, order_id, order_line_id, ticket_type_id, event_id,
             holder_name, search_key, status, created_at)
           SELECT :ticket0 + (g - 1) * :per + k, {CODE_SQL.format(id=":ticket0 + (g - 1) * :per + k")},
             :order0 + g, :line0 + g, :tier, :event, 'Buyer ' || g, 'buyer ' || g, 'valid',
             :t0 + g * interval '1 second'
           FROM generate_series(:lo, :hi) g, generate_series(1, :per) k""",  # noqa: E501
        # Three entries per order slot: the sale, the donation (every fifth), Stripe's fee.
        """INSERT INTO ledger_entries (id, event_id, order_id, kind, currency, amount_minor,
             note, created_at)
           SELECT :ledger0 + 3 * g + s.n, :event, :order0 + g, s.kind, 'USD',
             CASE s.kind WHEN 'ticket_sale' THEN :per * :price WHEN 'donation' THEN 500
                         ELSE 30 + :per * :price * 29 / 1000 END,
             '', :t0 + g * interval '1 second'
           FROM generate_series(:lo, :hi) g,
             (VALUES (0, 'ticket_sale'), (1, 'donation'), (2, 'fee')) AS s(n, kind)
           WHERE s.kind <> 'donation' OR g % 5 = 0""",
    ]
    for sql in statements:
        # Integers as bigint: psycopg would send small ones as smallint.
        sql = re.sub(r":(lo|hi|per|price|event|tier|order0|line0|ticket0|ledger0)\b",
                     r"CAST(:\1 AS bigint)", sql)  # fmt: skip
        conn.execute(text(sql), params)


def paid_tickets(engine, world: World, count: int, *, per_order: int = 2, label: str = "") -> None:
    """Add `count` valid tickets in paid orders (count a multiple of per_order)."""
    orders = count // per_order
    batch = max(1, 50_000 // per_order)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        ids = {t: _max_id(conn, t) for t in ("orders", "order_lines", "tickets")}
        ids["ledger_entries"] = _max_id(conn, "ledger_entries") + 3  # room for 3 * g + n
        with _progress() as progress:
            task = progress.add_task(label or f"seeding {count:,} tickets", total=count)
            done = 0
            while done < orders:
                size = min(batch, orders - done)
                _batch(conn, world, done + 1, size, per_order, ids)
                done += size
                progress.update(task, completed=done * per_order)
        for table in ("orders", "order_lines", "tickets", "ledger_entries"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )  # fmt: skip
            )
        rebuild_counters(conn, world.event_id)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def rebuild_counters(conn, event_id: int) -> None:
    """Recount what the triggers keep (summary counters, seats claimed) from the seeded rows."""
    from ticketing.events import counters
    from ticketing.orders.availability import recount_claims

    recount_claims(conn, event_id)
    counters.recount(conn, event_id)


def _progress() -> Progress:
    return Progress(
        TextColumn("  {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
    )


def ticket_codes(engine, world: World) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT code FROM tickets WHERE event_id = :e ORDER BY id"),
                {"e": world.event_id},
            ).scalars()
        )
