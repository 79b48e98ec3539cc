"""The door list an offline scanner keeps: every ticket of an event as a keyed
hash of its code (never the code), with what the door shows and decides on.

Hashes. `code_hash` is the lowercase hex HMAC-SHA256 of the normalized code
(upper case, no spaces or dashes), keyed with the UTF-8 bytes of the event's
salt: random, made once per event (`door_lists`), the same in every list.
A stolen phone yields hashes, not tickets; a scanner hashes what it reads and
looks the hash up.

Cursors: what a delta has not sent yet. Triggers (migration 0013) write a
`door_changes` row in the same transaction as every change a door cares
about (a ticket sold, renamed, paid, refunded or revoked, its order's status
or payments, its tier's name, a check-in made, moved or undone). A plain "rows with an id above
the last one sent" would miss a change whose transaction took its id first
but committed after a later one the last list already saw. So:

- PostgreSQL: the cursor is the snapshot (txid_current_snapshot()) taken
  before the list was read; each log row holds its writer's top-level
  transaction id. A delta sends the tickets of the rows whose transaction
  that snapshot could not see (`NOT txid_visible_in_snapshot`): exactly those
  committed after it, however their ids or start times interleave, including
  ones still running when the cursor was made. Rows of a transaction that
  committed between the snapshot and the read come again in the next delta
  (the current state of a ticket twice, never a change missed).
- SQLite: one writer at a time (the database-wide write lock is held from a
  transaction's first write to its commit), so log ids are in commit order
  and the cursor is the highest id seen, read in the same transaction as
  the list.

A cursor names its event and database kind: `v1.<event>.p.<xmin>:<xmax>:<xip,...>`
or `v1.<event>.s.<last id>`; anything else is refused (422).
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from ticketing.checkin.models import CheckIn, DoorChange, DoorList
from ticketing.database import utcnow
from ticketing.events.models import Event, TicketType
from ticketing.extensions import db
from ticketing.orders.models import Order, OrderStatus
from ticketing.search_text import fold
from ticketing.tickets.codes import normalize_code
from ticketing.tickets.models import Ticket, TicketStatus

_CURSOR = re.compile(
    r"^v1\.(\d{1,10})\.(?:p\.(\d{1,19}):(\d{1,19}):([\d,]{0,20000})|s\.(\d{1,19}))$"
)


class BadCursor(ValueError):
    """Not a cursor this event's door list gave out."""


@dataclass(frozen=True)
class Cursor:
    event_id: int
    snapshot: str | None = None  # PostgreSQL: "xmin:xmax:xip,..."
    last_id: int | None = None  # SQLite

    def text(self) -> str:
        if self.snapshot is not None:
            return f"v1.{self.event_id}.p.{self.snapshot}"
        return f"v1.{self.event_id}.s.{self.last_id}"

    @property
    def xmin(self) -> int:
        return int(self.snapshot.split(":", 1)[0])


def parse_cursor(value: str, event_id: int, dialect: str) -> Cursor:
    match = _CURSOR.match(value or "")
    if match is None or int(match.group(1)) != event_id:
        raise BadCursor(value)
    if match.group(5) is not None:
        if dialect == "postgresql":
            raise BadCursor(value)
        return Cursor(event_id, last_id=int(match.group(5)))
    if dialect != "postgresql" or int(match.group(2)) > int(match.group(3)):
        raise BadCursor(value)
    return Cursor(event_id, snapshot=f"{match.group(2)}:{match.group(3)}:{match.group(4)}")


def code_hash(salt: str, code: str) -> str:
    """The hex HMAC-SHA256 of the normalized code, keyed with the salt's UTF-8 bytes."""
    return hmac.new(salt.encode(), normalize_code(code).encode(), hashlib.sha256).hexdigest()


def salt_for(event_id: int) -> str:
    """The event's salt, made on first use (two first lists at once agree on one)."""
    found = db.session.get(DoorList, event_id)
    if found is not None:
        return found.salt
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect()]
    db.session.execute(
        insert(DoorList)
        .values(event_id=event_id, salt=secrets.token_urlsafe(24), created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["event_id"])
    )
    return db.session.execute(
        select(DoorList.salt).where(DoorList.event_id == event_id)
    ).scalar_one()


def has_salt(event_id: int) -> bool:
    return db.session.get(DoorList, event_id) is not None


def dialect() -> str:
    return db.session.get_bind().dialect.name


def current_cursor(event_id: int) -> Cursor:
    """Where the list about to be read stands (taken before reading it, see above)."""
    if dialect() == "postgresql":
        snapshot = db.session.execute(text("SELECT txid_current_snapshot()::text")).scalar_one()
        return Cursor(event_id, snapshot=snapshot)
    last = db.session.execute(
        select(func.max(DoorChange.id)).where(DoorChange.event_id == event_id)
    ).scalar_one()
    return Cursor(event_id, last_id=last or 0)


def changed_since(cursor: Cursor):
    """The ids of the tickets changed after the cursor (a subquery)."""
    query = select(DoorChange.ticket_id).where(DoorChange.event_id == cursor.event_id)
    if cursor.snapshot is not None:
        query = query.where(
            DoorChange.txid >= cursor.xmin,
            ~func.txid_visible_in_snapshot(
                DoorChange.txid,
                text("CAST(:snapshot AS txid_snapshot)").bindparams(snapshot=cursor.snapshot),
            ),
        )
    else:
        query = query.where(DoorChange.id > cursor.last_id)
    return query.distinct()


def _tickets_query(event_id: int):
    standing = aliased(CheckIn)
    counted = aliased(Ticket)
    order_tickets = (
        select(func.count(counted.id)).where(counted.order_id == Order.id).scalar_subquery()
    )
    return (
        select(
            Ticket.code,
            Ticket.holder_name,
            Ticket.search_key,
            Ticket.status,
            Ticket.order_id,
            TicketType.name.label("tier"),
            Order.status.label("order_status"),
            Order.expires_at,
            Order.total_minor,
            Order.paid_minor,
            standing.checked_in_at,
            standing.gate,
            order_tickets.label("order_tickets"),
        )
        .join(Order, Order.id == Ticket.order_id)
        .join(TicketType, TicketType.id == Ticket.ticket_type_id)
        .outerjoin(standing, (standing.ticket_id == Ticket.id) & standing.undone_at.is_(None))
        .where(Ticket.event_id == event_id)
        .order_by(Ticket.id)
    )


def door_status(ticket_status: str, order_status: str, lapsed: bool) -> str:
    """What an online scan would answer before its check-in: valid, unpaid or revoked."""
    if ticket_status == TicketStatus.REVOKED or order_status in OrderStatus.REVOKED:
        return "revoked"
    if order_status in OrderStatus.UNPAID or ticket_status == TicketStatus.UNPAID or lapsed:
        return "unpaid"
    return "valid"


def _entry(row, salt: bytes, now) -> dict:
    lapsed = row.order_status in OrderStatus.HOLDING and (
        row.expires_at is not None and row.expires_at <= now
    )
    status = door_status(row.status, row.order_status, lapsed)
    item = {
        "code_hash": hmac.new(salt, row.code.encode(), hashlib.sha256).hexdigest(),
        "holder_name": row.holder_name,
        "ticket_type": row.tier,
        "status": status,
    }
    # The folded name the online search matches; left out when it is just the
    # ASCII name in lower case (the scanner then folds it itself: most names).
    name = row.holder_name or ""
    if not (name.isascii() and fold(name) == name.lower()):
        item["search_key"] = fold(name)
    if status == "unpaid" and row.order_status == OrderStatus.RESERVED and not lapsed:
        item["amount_due_minor"] = max(row.total_minor - row.paid_minor, 0)
        item["order_id"] = row.order_id
        item["order_tickets"] = row.order_tickets
    if row.checked_in_at is not None:
        item["checked_in_at"] = row.checked_in_at.isoformat(timespec="seconds")
        if row.gate:
            item["gate"] = row.gate
    return item


def door_list(event: Event, since: Cursor | None) -> dict:
    """The whole list (since None) or the tickets changed after `since`."""
    salt = salt_for(event.id)
    cursor = current_cursor(event.id)
    query = _tickets_query(event.id)
    if since is not None:
        query = query.where(Ticket.id.in_(changed_since(since)))
    key = salt.encode()
    now = utcnow()
    rows = db.session.execute(query.execution_options(yield_per=2000))
    return {
        "event_id": event.id,
        "cursor": cursor.text(),
        "full": since is None,
        "salt": salt,
        "currency": event.currency,
        "generated_at": now.isoformat(timespec="seconds"),
        "tickets": [_entry(row, key, now) for row in rows],
    }
