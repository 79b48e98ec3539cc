"""The day-before reminder ("your tickets"), once per paid order; and a
reservation's payment reminder ("bring the cash", "make the transfer"), once,
a day before its deadline (a reservation made later has just had it all in
its first email).

The order row is the outbox: `reminder_sent_at` says it went out,
`reminder_claimed_at` is the lease of the worker sending it (claimed by a
conditional UPDATE only one claimant wins). Services flush; the task commits.
"""

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from ticketing.database import utcnow
from ticketing.delivery.message import build_reminder_email
from ticketing.delivery.reservation_mail import build_payment_reminder
from ticketing.events.models import Event
from ticketing.extensions import db
from ticketing.orders.models import Order, OrderStatus
from ticketing.tickets.models import TicketStatus
from ticketing.tickets.services import order_tickets

WINDOW = timedelta(hours=24)


def _free(now: datetime, lease_seconds: float):
    stale = now - timedelta(seconds=lease_seconds)
    return or_(Order.reminder_claimed_at.is_(None), Order.reminder_claimed_at < stale)


def due_ids(now: datetime, lease_seconds: float, limit: int = 500) -> list[int]:
    """Paid orders of events starting within a day, bought before that day began
    (a later buyer has just had the ticket email)."""
    query = (
        select(Order.id, Order.paid_at, Event.starts_at)
        .join(Event, Event.id == Order.event_id)
        .where(
            Order.status.in_(OrderStatus.SOLD),
            Order.buyer_email != "",
            Order.reminder_sent_at.is_(None),
            Event.starts_at > now,
            Event.starts_at <= now + WINDOW,
            _free(now, lease_seconds),
        )
        .order_by(Order.id)
        .limit(limit)
    )
    rows = db.session.execute(query).all()
    paid = [
        order_id
        for order_id, paid_at, starts_at in rows
        if paid_at and paid_at <= starts_at - WINDOW
    ]
    return sorted(paid + reservation_due_ids(now, lease_seconds, limit))


def reservation_due_ids(now: datetime, lease_seconds: float, limit: int = 500) -> list[int]:
    """Open reservations whose deadline is within a day, made before that day began."""
    query = (
        select(Order.id, Order.created_at, Order.expires_at)
        .where(
            Order.status == OrderStatus.RESERVED,
            Order.buyer_email != "",
            Order.reminder_sent_at.is_(None),
            Order.expires_at > now,
            Order.expires_at <= now + WINDOW,
            _free(now, lease_seconds),
        )
        .order_by(Order.id)
        .limit(limit)
    )
    rows = db.session.execute(query).all()
    return [order_id for order_id, created, until in rows if created <= until - WINDOW]


def claim(order_id: int, now: datetime, lease_seconds: float) -> bool:
    won = db.session.execute(
        update(Order)
        .where(
            and_(Order.id == order_id, Order.reminder_sent_at.is_(None), _free(now, lease_seconds))
        )
        .values(reminder_claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return won == 1


def message_for(order_id: int):
    """The reminder, or None when nothing is to be reminded of (marked done). Flushes."""
    order = db.session.get(Order, order_id, populate_existing=True)
    if order.current_status == OrderStatus.RESERVED:
        return build_payment_reminder(order)
    count = sum(1 for t in order_tickets(order) if t.status == TicketStatus.VALID)
    if order.status not in OrderStatus.SOLD or not count:
        record_sent(order_id)
        return None
    return build_reminder_email(order, count)


def record_sent(order_id: int) -> None:
    db.session.execute(
        update(Order)
        .where(Order.id == order_id)
        .values(reminder_sent_at=utcnow(), reminder_claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def release(order_id: int) -> None:
    """Not sent (SMTP failed): the next sweep tries again while the event is ahead."""
    db.session.execute(
        update(Order)
        .where(Order.id == order_id)
        .values(reminder_claimed_at=None)
        .execution_options(synchronize_session=False)
    )
