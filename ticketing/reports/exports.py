"""CSV exports of orders, attendees and the ledger, streamed row by row.

Rows are read with `yield_per`, so a large event never sits in memory and the
first bytes leave at once. Every amount is given twice: integer minor units
(exact, for reconciling) and the major-unit decimal a spreadsheet user reads.
"""

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from flask import Response
from sqlalchemy import and_, func, select

from ticketing.accounts.models import User
from ticketing.checkin.models import CheckIn
from ticketing.csv_export import csv_download, safe_text
from ticketing.events.models import Event, TicketType
from ticketing.extensions import db
from ticketing.money import to_decimal
from ticketing.orders.models import Order
from ticketing.payments.models import LedgerEntry
from ticketing.tickets.models import Ticket, TicketStatus

BATCH = 1000

ORDER_HEADER = [
    "id", "created", "buyer", "email", "status", "source", "tickets",
    "tickets_minor", "tickets_major", "donation_minor", "donation_major",
    "total_minor", "total_major", "refunded_minor", "refunded_major", "currency",
]  # fmt: skip
ATTENDEE_HEADER = ["code", "tier", "holder", "order_id", "status", "checked_in_at", "gate"]
LEDGER_HEADER = [
    "id", "created", "kind", "amount_minor", "amount_major", "currency", "order_id", "note", "by",
]  # fmt: skip


def major(amount_minor: int | None, currency: str):
    """The amount in major units, as a Decimal: the CSV writes it with the
    decimal mark that goes with its separator ("12.50" or "12,50")."""
    return to_decimal(amount_minor or 0, currency)


def _local(moment, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else ""


def _stream(query):
    return db.session.execute(query.execution_options(yield_per=BATCH))


def order_rows(event: Event) -> Iterator[list]:
    zone, cur = ZoneInfo(event.timezone), event.currency
    counts = (
        select(Ticket.order_id, func.count().label("n"))
        .where(Ticket.event_id == event.id, Ticket.status == TicketStatus.VALID)
        .group_by(Ticket.order_id)
        .subquery()
    )
    query = (
        select(Order, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.order_id == Order.id)
        .where(Order.event_id == event.id)
        .order_by(Order.id)
    )
    yield ORDER_HEADER
    for order, tickets in _stream(query):
        yield [
            order.id, _local(order.created_at, zone), safe_text(order.buyer_name),
            safe_text(order.buyer_email), order.status, order.source, tickets,
            order.tickets_minor, major(order.tickets_minor, cur),
            order.donation_minor, major(order.donation_minor, cur),
            order.total_minor, major(order.total_minor, cur),
            order.refunded_minor, major(order.refunded_minor, cur), order.currency,
        ]  # fmt: skip


def attendee_rows(event: Event) -> Iterator[list]:
    zone = ZoneInfo(event.timezone)
    query = (
        select(
            Ticket.code,
            TicketType.name,
            Ticket.holder_name,
            Ticket.order_id,
            Ticket.status,
            CheckIn.checked_in_at,
            CheckIn.gate,
        )  # fmt: skip
        .join(TicketType, TicketType.id == Ticket.ticket_type_id)
        .outerjoin(CheckIn, and_(CheckIn.ticket_id == Ticket.id, CheckIn.undone_at.is_(None)))
        .where(Ticket.event_id == event.id)
        .order_by(Ticket.id)
    )
    yield ATTENDEE_HEADER
    for code, tier, holder, order_id, status, checked_in_at, gate in _stream(query):
        yield [
            code, safe_text(tier), safe_text(holder), order_id, status,
            _local(checked_in_at, zone), safe_text(gate),
        ]  # fmt: skip


def ledger_rows(event: Event) -> Iterator[list]:
    zone = ZoneInfo(event.timezone)
    query = (
        select(LedgerEntry, User.email)
        .outerjoin(User, User.id == LedgerEntry.created_by_id)
        .where(LedgerEntry.event_id == event.id)
        .order_by(LedgerEntry.id)
    )
    yield LEDGER_HEADER
    for entry, by in _stream(query):
        yield [
            entry.id, _local(entry.created_at, zone), entry.kind, entry.amount_minor,
            major(entry.amount_minor, entry.currency), entry.currency, entry.order_id or "",
            safe_text(entry.note), safe_text(by),
        ]  # fmt: skip


EXPORTS = {"orders": order_rows, "attendees": attendee_rows, "ledger": ledger_rows}


def csv_response(event: Event, what: str) -> Response:
    """The export, UTF-8 with a BOM; `?sep=semicolon` for Excel under ru/uk/tr settings."""
    return csv_download(EXPORTS[what](event), f"{event.slug}-{what}.csv")
