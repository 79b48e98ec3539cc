"""How many seats of each tier are taken: sold, or held by an unexpired order.

Availability = capacity - seats in paid orders - seats in unexpired holds.
Checkout reads this only while it holds the tiers' locks (see orders.services).
"""

from datetime import datetime

from sqlalchemy import and_, func, or_, select, text

from ticketing.database import utcnow
from ticketing.events.models import TicketType
from ticketing.extensions import db
from ticketing.orders.models import Order, OrderLine, OrderStatus, sql_list


def seats_taken(ticket_type_ids: list[int], now: datetime | None = None) -> dict[int, int]:
    now = now or utcnow()
    counting = or_(
        Order.status.in_(OrderStatus.SOLD),
        and_(Order.status == OrderStatus.PENDING, Order.expires_at > now),
    )
    rows = db.session.execute(
        select(OrderLine.ticket_type_id, func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.ticket_type_id.in_(ticket_type_ids), counting)
        .group_by(OrderLine.ticket_type_id)
    ).all()
    taken = {tier_id: 0 for tier_id in ticket_type_ids}
    taken.update({tier_id: int(count) for tier_id, count in rows})
    return taken


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


def seats_left(tiers: list[TicketType], now: datetime | None = None) -> dict[int, int]:
    taken = seats_taken([tier.id for tier in tiers], now)
    return {tier.id: max(tier.capacity - taken[tier.id], 0) for tier in tiers}


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
