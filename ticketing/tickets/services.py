"""Issuing and revoking tickets. Services only flush; the caller commits."""

from flask_babel import gettext
from sqlalchemy import select

from ticketing.database import utcnow
from ticketing.errors import Conflict
from ticketing.extensions import db
from ticketing.tickets.codes import looks_like_code, new_code, normalize_code
from ticketing.tickets.models import Ticket, TicketStatus


def issue_tickets(order, status: str = TicketStatus.VALID) -> list[Ticket]:
    """One ticket per seat of the order; a second call issues nothing more.
    A reservation's are `unpaid` until its amount due is paid."""
    existing = list(db.session.execute(select(Ticket).where(Ticket.order_id == order.id)).scalars())
    if existing:
        return existing
    tickets = [
        Ticket(
            code=new_code(),
            order_id=order.id,
            order_line_id=line.id,
            ticket_type_id=line.ticket_type_id,
            event_id=order.event_id,
            holder_name=order.buyer_name,
            status=status,
        )
        for line in order.lines
        for _ in range(line.quantity)
    ]
    db.session.add_all(tickets)
    db.session.flush()
    return tickets


def revoke_tickets(order) -> int:
    """Revoke every valid ticket of the order (full refund or cancellation)."""
    now = utcnow()
    count = 0
    for ticket in db.session.execute(
        select(Ticket).where(Ticket.order_id == order.id, Ticket.status == TicketStatus.VALID)
    ).scalars():
        ticket.status, ticket.revoked_at = TicketStatus.REVOKED, now
        count += 1
    db.session.flush()
    return count


def restore_revoked_tickets(order) -> None:
    """The refund that revoked them failed: the order's tickets are valid again
    (except those replaced by a reissue, whose replacement stays)."""
    for ticket in db.session.execute(
        select(Ticket).where(
            Ticket.order_id == order.id,
            Ticket.status == TicketStatus.REVOKED,
            Ticket.replaced_by_id.is_(None),
        )
    ).scalars():
        ticket.status, ticket.revoked_at = TicketStatus.VALID, None
    db.session.flush()


def reissue_ticket(ticket: Ticket) -> Ticket:
    """A new ticket with a new code in place of `ticket`, which is revoked.

    For a code that leaked (a forwarded screenshot): the old code stops working
    at the door and points to its replacement.
    """
    if ticket.status != TicketStatus.VALID:
        raise Conflict(gettext("Only a valid ticket can be reissued."), field="ticket")
    replacement = Ticket(
        code=new_code(),
        order_id=ticket.order_id,
        order_line_id=ticket.order_line_id,
        ticket_type_id=ticket.ticket_type_id,
        event_id=ticket.event_id,
        holder_name=ticket.holder_name,
    )
    db.session.add(replacement)
    db.session.flush()
    ticket.status, ticket.revoked_at = TicketStatus.REVOKED, utcnow()
    ticket.replaced_by_id = replacement.id
    db.session.flush()
    return replacement


def ticket_by_code(text: str) -> Ticket | None:
    """The ticket a scanned or typed code means, or None."""
    code = normalize_code(text)
    if not looks_like_code(code):
        return None
    return db.session.execute(select(Ticket).where(Ticket.code == code)).scalar_one_or_none()


def order_tickets(order) -> list[Ticket]:
    """The order's tickets in a stable order: valid first, then by issue."""
    tickets = db.session.execute(
        select(Ticket).where(Ticket.order_id == order.id).order_by(Ticket.id)
    ).scalars()
    return sorted(tickets, key=lambda t: (t.status != TicketStatus.VALID, t.id))
