"""What the dashboard shows besides the totals: tiers, check-ins, orders, sales over time."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import false, func, or_, select

from ticketing.database import utcnow
from ticketing.events import counters
from ticketing.events.models import Event, TicketType
from ticketing.extensions import db
from ticketing.orders.models import Order, OrderLine, OrderStatus
from ticketing.search_text import like_pattern
from ticketing.tickets.models import Ticket, TicketStatus


@dataclass(frozen=True)
class TierRow:
    tier: TicketType
    sold: int
    held: int
    checked_in: int

    @property
    def percent(self) -> int:
        if not self.tier.capacity:
            return 100 if self.sold else 0
        return min(100, round(100 * self.sold / self.tier.capacity))


def _count_by_tier(query) -> dict[int, int]:
    return {tier_id: int(count) for tier_id, count in db.session.execute(query).all()}


def tier_rows(event: Event) -> list[TierRow]:
    """Per tier: valid tickets and check-ins (running counters), seats in unexpired holds."""
    sold = counters.with_prefix(event.id, counters.tier_name(counters.TICKETS_SOLD, ""))
    checked_in = counters.with_prefix(event.id, counters.tier_name(counters.CHECKED_IN, ""))
    held = _count_by_tier(
        select(OrderLine.ticket_type_id, func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.event_id == event.id,
            Order.status == OrderStatus.PENDING,
            Order.expires_at > utcnow(),
        )
        .group_by(OrderLine.ticket_type_id)
    )
    return [
        TierRow(
            tier,
            sold.get(str(tier.id), 0),
            held.get(tier.id, 0),
            checked_in.get(str(tier.id), 0),
        )
        for tier in event.ticket_types
    ]


def search_orders(event: Event, text: str = "", limit: int = 50) -> list[Order]:
    """Newest first; `text` matches the buyer's name or email, or the order id ("42", "#42")."""
    query = select(Order).where(Order.event_id == event.id)
    text = text.strip()
    if text:
        # On the folded key (search_text): "Petrova" finds "Петрова" and back.
        pattern = like_pattern(text)
        matches = [] if pattern is None else [Order.search_key.like(pattern, escape="\\")]
        digits = text.lstrip("#")
        if digits.isdigit() and len(digits) < 10:
            matches.append(Order.id == int(digits))
        query = query.where(or_(false(), *matches))
    query = query.order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)
    return list(db.session.execute(query).scalars())


def order_ticket_counts(orders: list[Order]) -> dict[int, int]:
    if not orders:
        return {}
    rows = db.session.execute(
        select(Ticket.order_id, func.count())
        .where(Ticket.order_id.in_([o.id for o in orders]), Ticket.status == TicketStatus.VALID)
        .group_by(Ticket.order_id)
    ).all()
    return {order_id: int(count) for order_id, count in rows}


def raised_by_utc_hour(event: Event) -> list[tuple[datetime, int]]:
    """Raised per UTC hour, from the running counters (fast however many entries there are).

    Callers re-bucket the hours into the event's time zone; zones with a
    half-hour offset may shift an entry by up to 45 minutes into the
    neighbouring bucket, which a sales chart can live with.
    """
    hours = counters.with_prefix(event.id, counters.raised_prefix(event.currency))
    return [
        (datetime.fromisoformat(hour).replace(tzinfo=UTC), total)
        for hour, total in sorted(hours.items())
    ]


def open_reservations(event: Event, limit: int = 500) -> list[Order]:
    """Reservations still owing, soonest deadline first (lapsed ones are not open)."""
    return list(
        db.session.execute(
            select(Order)
            .where(
                Order.event_id == event.id,
                Order.status == OrderStatus.RESERVED,
                or_(Order.expires_at.is_(None), Order.expires_at > utcnow()),
            )
            .order_by(Order.expires_at, Order.id)
            .limit(limit)
        ).scalars()
    )


def reservation_by_reference(event: Event, reference: str) -> Order | None:
    """The event's order with this payment reference (case and outer spaces forgiven)."""
    wanted = reference.strip().upper()
    if not wanted:
        return None
    return db.session.execute(
        select(Order).where(
            Order.event_id == event.id, func.upper(Order.payment_reference) == wanted
        )
    ).scalar_one_or_none()
