"""Issuing and revoking tickets. Services only flush; the caller commits."""

from sqlalchemy import select

from ticketing.database import utcnow
from ticketing.extensions import db
from ticketing.orders.models import Order
from ticketing.tickets.codes import new_code
from ticketing.tickets.models import Ticket


def issue_tickets(order: Order) -> list[Ticket]:
    """One ticket per seat of the order; a second call issues nothing more."""
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
        )
        for line in order.lines
        for _ in range(line.quantity)
    ]
    db.session.add_all(tickets)
    db.session.flush()
    return tickets


def revoke_tickets(order: Order) -> int:
    """Revoke every valid ticket of the order (full refund or cancellation)."""
    now = utcnow()
    count = 0
    for ticket in db.session.execute(
        select(Ticket).where(Ticket.order_id == order.id, Ticket.status == "valid")
    ).scalars():
        ticket.status, ticket.revoked_at = "revoked", now
        count += 1
    db.session.flush()
    return count
