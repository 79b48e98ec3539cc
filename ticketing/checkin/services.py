"""Deciding a scan, exactly once, and undoing a check-in. Services only flush.

One statement decides entry: an INSERT into `checkins` that does nothing when
the partial unique index "one standing check-in per ticket" already holds a
row (PostgreSQL and SQLite both speak ON CONFLICT ... WHERE). Two phones that
scan one ticket at the same instant therefore get exactly one `ok`; the
loser waits for the winner's commit and answers `already_checked_in`.

Every attempt is logged as a ScanAttempt holding the answer given, so a
retried request (same device, same event, same nonce) gets the same answer
back; another device or event with that nonce is decided afresh.
The nonce is claimed by the same kind of conflict-free insert: when it is
already taken the caller rolls the whole request back and replays the stored
answer, so a replay writes nothing.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask_babel import gettext, lazy_gettext
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from ticketing import compiled_sql
from ticketing.accounts.auth import Principal
from ticketing.checkin import collect
from ticketing.checkin.models import CheckIn, ScanAttempt
from ticketing.database import utcnow
from ticketing.errors import Busy, ValidationFailed
from ticketing.events.models import Event, TicketType
from ticketing.extensions import db
from ticketing.orders import reservations
from ticketing.orders.models import Order, OrderStatus
from ticketing.tickets.codes import looks_like_code, normalize_code
from ticketing.tickets.models import Ticket, TicketStatus

MESSAGES = {
    "ok": lazy_gettext("Welcome in."),
    "already_checked_in": lazy_gettext("This ticket has already been checked in."),
    "invalid": lazy_gettext("This is not a ticket of this organization."),
    "wrong_event": lazy_gettext("This ticket is for another event."),
    "unpaid": lazy_gettext("This ticket's order is not paid."),
    "revoked": lazy_gettext("This ticket was refunded or canceled."),
    "nothing_due": lazy_gettext(
        "Already paid: hand the cash back and scan the ticket without collecting."
    ),
}


@dataclass(frozen=True)
class ScanRequest:
    code: str
    event_id: int | None = None
    nonce: str | None = None
    gate: str = ""
    device: str = ""
    # Cash handed over for the ticket's reservation (the door's collect):
    # exactly the amount due, or the scan is refused and nothing changes.
    collect_minor: int | None = None
    # When the scan happened, for scans sent later (offline); None: now.
    at: datetime | None = None


@dataclass(frozen=True)
class ScanAnswer:
    """What the API sends back: the HTTP status and the exact JSON text."""

    http_status: int
    body_json: str

    @property
    def body(self) -> dict:
        return json.loads(self.body_json)


class NonceTaken(Exception):
    """Another request with this nonce got there first: roll back and replay it."""


# The statements of a scan are built once, per database dialect where they
# differ: at the door's rate, building a statement costs more CPU than the
# database spends running it.
TICKET_FOR_DOOR = (
    select(
        Ticket.id,
        Ticket.code,
        Ticket.status,
        Ticket.event_id,
        Ticket.ticket_type_id,
        Ticket.holder_name,
        Order.status.label("order_status"),
        Order.id.label("order_id"),
        Order.buyer_name,
        Order.currency,
        Order.total_minor,
        Order.paid_minor,
        Order.expires_at,
        TicketType.name.label("tier_name"),
        Event.organization_id,
    )
    .join(Order, Order.id == Ticket.order_id)
    .join(TicketType, TicketType.id == Ticket.ticket_type_id)
    .join(Event, Event.id == Ticket.event_id)
)
FIND_TICKET = TICKET_FOR_DOOR.where(Ticket.code == bindparam("code"))
STANDING_CHECKIN = select(CheckIn.id, CheckIn.checked_in_at, CheckIn.gate).where(
    CheckIn.ticket_id == bindparam("ticket_id"), CheckIn.undone_at.is_(None)
)
ORDER_TICKETS = select(func.count(Ticket.id).label("count")).where(
    Ticket.order_id == bindparam("order_id"), Ticket.status != TicketStatus.REVOKED
)
VISIBLE_EVENT = select(Event.id).where(
    Event.id == bindparam("event_id"), Event.organization_id == bindparam("organization_id")
)
STORED_ANSWER = select(ScanAttempt.response_status, ScanAttempt.response_json).where(
    ScanAttempt.organization_id == bindparam("organization_id"),
    ScanAttempt.nonce_scope == bindparam("nonce_scope"),
    ScanAttempt.nonce == bindparam("nonce"),
)
INSERT_FOR = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@cache
def _enter_statement(dialect: str):
    """INSERT a check-in unless the ticket has a standing one (ON CONFLICT DO NOTHING)."""
    return (
        _dialect_insert(dialect, CheckIn)
        .on_conflict_do_nothing(index_elements=["ticket_id"], index_where=text("undone_at IS NULL"))
        .returning(CheckIn.id)
    )


@cache
def _log_statement(dialect: str):
    """INSERT the scan's log row unless its nonce was used before in its scope."""
    return (
        _dialect_insert(dialect, ScanAttempt)
        .on_conflict_do_nothing(
            index_elements=["organization_id", "nonce_scope", "nonce"],
            index_where=text("nonce IS NOT NULL"),
        )
        .returning(ScanAttempt.id)
    )


def _dialect_insert(dialect: str, model):
    try:
        return INSERT_FOR[dialect](model.__table__)
    except KeyError:
        raise RuntimeError(f"check-in needs ON CONFLICT support, not {dialect}") from None


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def door_ticket(row) -> dict:
    """What the door may know of a ticket: never money, never the buyer's email."""
    return {
        "code": row.code,
        "ticket_type_id": row.ticket_type_id,
        "tier": row.tier_name,
        "holder_name": row.holder_name,
        "event_id": row.event_id,
    }


def _find_ticket(code: str):
    """The ticket with its order status, tier name and organization, in one query."""
    return compiled_sql.first(FIND_TICKET, {"code": code})


def _refusal(row, principal: Principal, event_id: int | None) -> str | None:
    """Why this ticket may not enter here, or None when it may."""
    if row is None or row.organization_id != principal.organization_id:
        return "invalid"
    for wanted in (event_id, principal.event_id):
        if wanted is not None and wanted != row.event_id:
            return "wrong_event"
    if row.status == TicketStatus.REVOKED or row.order_status in OrderStatus.REVOKED:
        return "revoked"
    if row.order_status in OrderStatus.UNPAID:
        return "unpaid"
    return None


def _standing_checkin(ticket_id: int):
    return compiled_sql.first(STANDING_CHECKIN, {"ticket_id": ticket_id})


def _enter(row, principal: Principal, request: ScanRequest):
    """Try to check the ticket in: (checkin id, time, won?) decided by one INSERT."""
    statement = _enter_statement(_dialect())
    for _ in range(3):
        now = request.at or utcnow()
        inserted = compiled_sql.first(
            statement,
            {
                "ticket_id": row.id,
                "event_id": row.event_id,
                "gate": request.gate,
                "device": request.device,
                "user_id": principal.user_id,
                "api_token_id": principal.token_id,
                "checked_in_at": now,
            },
        )
        if inserted is not None:
            return inserted.id, now, request.gate, True
        standing = _standing_checkin(row.id)
        if standing is not None:
            return standing.id, standing.checked_in_at, standing.gate, False
        # The standing check-in was undone between the two statements: try again.
    raise Busy(gettext("The ticket is being changed right now; scan again."))


def _refused(reason: str, ticket: dict, **extra) -> tuple[int, dict]:
    body = {"status": reason, "code": reason, "message": str(MESSAGES[reason]), "ticket": ticket}
    return 409, {**body, **extra}


def _collectable(row) -> bool:
    """An open reservation whose deadline has not passed: the door may take its cash."""
    lapsed = row.expires_at is not None and row.expires_at <= utcnow()
    return row.order_status == OrderStatus.RESERVED and not lapsed


def _unpaid(row, ticket: dict) -> tuple[int, dict]:
    """The `unpaid` refusal; a reservation's says what to collect, for whom, for how many."""
    if not _collectable(row):
        return _refused("unpaid", ticket)
    return _refused(
        "unpaid",
        ticket,
        order_id=row.order_id,
        amount_due_minor=max(row.total_minor - row.paid_minor, 0),
        currency=row.currency,
        buyer_name=row.buyer_name,
        tickets_in_order=compiled_sql.first(ORDER_TICKETS, {"order_id": row.order_id}).count,
    )


def _admit(row, ticket: dict, principal: Principal, request: ScanRequest) -> tuple[int, dict]:
    checkin_id, when, gate, won = _enter(row, principal, request)
    if won:
        body = {
            "status": "ok",
            "ticket": ticket,
            "checked_in_at": when.isoformat(),
            "gate": gate,
            "checkin_id": checkin_id,
        }
        return 200, body
    return _refused(
        "already_checked_in",
        ticket,
        first_checked_in_at=when.isoformat(),
        gate=gate,
        checkin_id=checkin_id,
    )


def _nothing_to_collect(row, ticket: dict) -> tuple[int, dict]:
    """A collect for a ticket that owes nothing: it lets nobody in. Unpaid but
    not collectable (a lapsed reservation, a card checkout): the plain `unpaid`
    refusal; already in: `already_checked_in`; paid (by another collector a
    moment ago, say): 422, as API.md says of any amount but the one due, so
    the volunteer hands the cash back and scans again without collecting."""
    if row.order_status in OrderStatus.UNPAID:
        return _unpaid(row, ticket)
    standing = _standing_checkin(row.id)
    if standing is None:
        raise ValidationFailed(
            str(MESSAGES["nothing_due"]), field="collect_minor", amount_due_minor=0
        )
    return _refused(
        "already_checked_in",
        ticket,
        first_checked_in_at=standing.checked_in_at.isoformat(),
        gate=standing.gate,
        checkin_id=standing.id,
    )


def _collect(row, ticket: dict, principal: Principal, request: ScanRequest) -> tuple[int, dict]:
    """Take the reservation's cash (exactly what is due), then let this ticket in.

    receive_payment locks the order: of twenty scanners collecting at once one
    pays it; the others wait, read the order again and are refused (already in,
    or nothing to collect) without entering. A wrong amount is a 422 that
    rolls the whole request back.
    """
    if not _collectable(row):
        return _nothing_to_collect(row, ticket)
    try:
        collect.take_cash(principal, row.order_id, request.collect_minor)
    except reservations.NotReserved:
        return _nothing_to_collect(_find_ticket(row.code), ticket)
    return _admit(row, ticket, principal, request)


# `decide(..., row=LOOK_UP)`: find the ticket by the request's code.
LOOK_UP = object()


def find_tickets(codes: list[str]) -> dict:
    """FIND_TICKET for many normalized codes at once (a batch of scans): code -> row."""
    wanted = sorted({code for code in codes if looks_like_code(code)})
    if not wanted:
        return {}
    query = TICKET_FOR_DOOR.where(Ticket.code.in_(wanted))
    return {row.code: row for row in db.session.execute(query)}


def decide(principal: Principal, request: ScanRequest, row=LOOK_UP) -> tuple[int, dict, int | None]:
    """The answer to one scan: (HTTP status, body, ticket id to log). `row`: the
    ticket as find_tickets() read it (None: no such code), when already known."""
    if row is LOOK_UP:
        code = normalize_code(request.code)
        row = _find_ticket(code) if looks_like_code(code) else None
    reason = _refusal(row, principal, request.event_id)
    if reason == "invalid":
        return 409, {"status": reason, "code": reason, "message": str(MESSAGES[reason])}, None
    ticket = door_ticket(row)
    if request.collect_minor is not None and reason in (None, "unpaid"):
        status, body = _collect(row, ticket, principal, request)
    elif reason == "unpaid":
        status, body = _unpaid(row, ticket)
    elif reason is not None:
        status, body = _refused(reason, ticket)
    else:
        status, body = _admit(row, ticket, principal, request)
    return status, body, row.id


def _logged_event(principal: Principal, request: ScanRequest) -> int | None:
    """The door's event for the log of an unknown code: only one the caller may see."""
    if principal.event_id is not None:
        return principal.event_id
    if request.event_id is None:
        return None
    params = {"event_id": request.event_id, "organization_id": principal.organization_id}
    visible = compiled_sql.first(VISIBLE_EVENT, params)
    return None if visible is None else visible.id


def nonce_scope(principal: Principal, request: ScanRequest) -> str:
    """Whose nonce this is: the device (its token, or the logged-in user) and the event."""
    device = f"t{principal.token_id}" if principal.token_id is not None else f"u{principal.user_id}"
    event_id = request.event_id or principal.event_id
    return f"{device}:e{event_id or ''}"


def scan(principal: Principal, request: ScanRequest, row=LOOK_UP) -> ScanAnswer:
    """Decide one scan and log it; raises NonceTaken when the nonce was used before."""
    status, body, ticket_id = decide(principal, request, row)
    answer = ScanAnswer(status, json.dumps(body, separators=(",", ":")))
    event_id = body["ticket"]["event_id"] if "ticket" in body else _logged_event(principal, request)
    log_answer(principal, request, answer, event_id, ticket_id, body["status"])
    return answer


def log_answer(
    principal: Principal,
    request: ScanRequest,
    answer: ScanAnswer,
    event_id: int | None,
    ticket_id: int | None,
    result: str,
) -> None:
    """Log an answer given at the door; NonceTaken when its nonce was used before."""
    logged = compiled_sql.first(
        _log_statement(_dialect()),
        {
            "organization_id": principal.organization_id,
            "event_id": event_id,
            "ticket_id": ticket_id,
            "code": normalize_code(request.code)[:64],
            "result": result,
            "gate": request.gate,
            "device": request.device,
            "user_id": principal.user_id,
            "api_token_id": principal.token_id,
            "nonce": request.nonce,
            "nonce_scope": nonce_scope(principal, request),
            "response_status": answer.http_status,
            "response_json": answer.body_json,
            "created_at": utcnow(),
        },
    )
    if logged is None:
        raise NonceTaken(request.nonce)


def stored_answer(principal: Principal, request: ScanRequest) -> ScanAnswer | None:
    """The answer first given to this nonce by this device for this event."""
    params = {
        "organization_id": principal.organization_id,
        "nonce_scope": nonce_scope(principal, request),
        "nonce": request.nonce,
    }
    row = compiled_sql.first(STORED_ANSWER, params)
    return None if row is None else ScanAnswer(row.response_status, row.response_json)
