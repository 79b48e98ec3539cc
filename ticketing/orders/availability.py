"""Seats held by people paying right now, and recounting the seat claims.

Seats left are the tier's own (`TicketType.seats_left`: capacity minus the
seat claims that triggers keep, migration 0003); this module adds what only
orders know: how many of the claims are unpaid holds, and when they lapse.
"""

from datetime import datetime

from sqlalchemy import func, select, text

from ticketing.database import utcnow
from ticketing.events import services as event_services
from ticketing.extensions import db
from ticketing.orders.models import Order, OrderLine, OrderStatus, sql_list


def seats_held(ticket_type_ids: list[int], now: datetime | None = None) -> dict[int, tuple]:
    """Seats in unpaid, unexpired holds per tier: (count, when the first hold lapses).

    Buyers see them on the event page: a tier "sold out" by holds may come back.
    """
    now = now or utcnow()
    rows = db.session.execute(
        select(OrderLine.ticket_type_id, func.sum(OrderLine.quantity), func.min(Order.expires_at))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.ticket_type_id.in_(ticket_type_ids),
            Order.status == OrderStatus.PENDING,
            Order.expires_at > now,
        )
        .group_by(OrderLine.ticket_type_id)
    ).all()
    return {tier_id: (int(count), first_lapse) for tier_id, count, first_lapse in rows}


def event_has_orders(event_id: int) -> bool:
    """Whether anyone ever ordered for the event (its currency is then fixed)."""
    found = db.session.execute(select(Order.id).where(Order.event_id == event_id).limit(1))
    return found.first() is not None


event_services.ORDER_CHECKS.append(event_has_orders)


RECOUNT_CLAIMS = text(
    f"""UPDATE ticket_types SET seats_claimed = coalesce((
         SELECT sum(l.quantity) FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE l.ticket_type_id = ticket_types.id
           AND o.status IN {sql_list(OrderStatus.CLAIMING)}), 0)
       WHERE event_id = :e"""
)


def recount_claims(connection, event_id: int) -> None:
    """Set the event's `seats_claimed` from its orders (after a bulk load with
    triggers off; the triggers keep it right otherwise)."""
    connection.execute(RECOUNT_CLAIMS, {"e": event_id})
