"""Checkout: validating a buyer's request and holding seats. Services only flush.

A hold is a pending order with `expires_at`. It is decided under a lock on
the tiers involved (PostgreSQL row locks in id order, with a lock timeout
that becomes "busy, try again"; SQLite write transactions begin IMMEDIATE),
so two buyers can never both take the last seat.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from ticketing.database import utcnow
from ticketing.errors import Busy, DomainError, ValidationFailed
from ticketing.events.models import Event, TicketType
from ticketing.extensions import db
from ticketing.money import MoneyError, check_chargeable
from ticketing.orders.access import seal
from ticketing.orders.availability import seats_left
from ticketing.orders.models import Order, OrderLine
from ticketing.tickets.services import issue_tickets

# Stripe wants a session's expires_at at least 30 minutes ahead when it is
# created, and the session must end with the hold: so a hold lasts longer.
MIN_HOLD = timedelta(minutes=31)
MAX_HOLD = timedelta(hours=23)


class SoldOut(DomainError):
    status = 409
    code = "sold_out"


@dataclass(frozen=True)
class ItemRequest:
    ticket_type_id: int
    quantity: int
    price_minor: int | None = None


def hold_duration() -> timedelta:
    wanted = timedelta(minutes=current_app.config.get("HOLD_MINUTES", 30))
    return min(max(wanted, MIN_HOLD), MAX_HOLD)


def lock_ticket_types(ticket_type_ids) -> list[TicketType]:
    """Lock the tiers (in id order, so two checkouts never deadlock) and return them.

    On SQLite the IMMEDIATE transaction already excludes other writers.
    A lock wait past LOCK_TIMEOUT_MS raises Busy (503), never a 500.
    """
    ids = sorted(set(ticket_type_ids))
    if not ids:
        return []
    query = select(TicketType).where(TicketType.id.in_(ids)).order_by(TicketType.id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    try:
        return list(db.session.execute(query).scalars())
    except OperationalError as exc:
        db.session.rollback()
        raise Busy("Many people are buying right now: please try again in a moment.") from exc


def _check_item(index: int, item: ItemRequest, tier: TicketType | None, now: datetime) -> int:
    """Validate one requested line; returns its unit price in minor units."""
    field = f"items.{index}"
    if tier is None:
        raise ValidationFailed("This ticket type is not sold for this event.", field=field)
    if item.quantity < 1:
        raise ValidationFailed("Choose at least one ticket.", field=f"{field}.quantity")
    if item.quantity > tier.max_per_order:
        raise ValidationFailed(
            f"At most {tier.max_per_order} {tier.name} tickets per order.",
            field=f"{field}.quantity",
        )
    if tier.sales_start and now < tier.sales_start:
        raise ValidationFailed(f"{tier.name} tickets are not on sale yet.", field=field)
    if tier.sales_end and now >= tier.sales_end:
        raise ValidationFailed(f"{tier.name} ticket sales have ended.", field=field)
    if not tier.pay_what_you_want:
        if item.price_minor is not None and item.price_minor != tier.price_minor:
            raise ValidationFailed(f"{tier.name} has a fixed price.", field=f"{field}.price_minor")
        return tier.price_minor
    price = tier.price_minor if item.price_minor is None else item.price_minor
    minimum = tier.min_price_minor or 0
    if price < minimum:
        raise ValidationFailed(
            f"Pay at least the minimum for {tier.name}.", field=f"{field}.price_minor"
        )
    return price


def _check_request(event: Event, items: list[ItemRequest], donation_minor: int, now: datetime):
    if not event.published:
        raise ValidationFailed("This event is not on sale.", field="event_id")
    if donation_minor < 0:
        raise ValidationFailed("A donation cannot be negative.", field="donation_minor")
    if not items and donation_minor <= 0:
        raise ValidationFailed("Choose a ticket or enter a donation.", field="items")
    seen = set()
    for index, item in enumerate(items):
        if item.ticket_type_id in seen:
            raise ValidationFailed("List each ticket type once.", field=f"items.{index}")
        seen.add(item.ticket_type_id)


def _check_total(total_minor: int, currency: str) -> None:
    try:
        check_chargeable(total_minor, currency)
    except MoneyError as exc:
        raise ValidationFailed(str(exc), field="total_minor") from exc


def _take_seats(tiers: dict[int, TicketType], items: list[ItemRequest], now: datetime) -> None:
    left = seats_left(list(tiers.values()), now)
    short = {item.ticket_type_id for item in items if item.quantity > left[item.ticket_type_id]}
    if short:
        names = ", ".join(tiers[tier_id].name for tier_id in sorted(short))
        raise SoldOut(
            f"Not enough seats left for: {names}.",
            available={str(tier_id): left[tier_id] for tier_id in sorted(left)},
        )


def create_order(
    event: Event,
    *,
    buyer_name: str,
    buyer_email: str,
    items: list[ItemRequest],
    donation_minor: int = 0,
    now: datetime | None = None,
) -> tuple[Order, str]:
    """Validate, lock the tiers, check seats and hold them. Returns (order, access token).

    A total of zero is a free order: paid at once, tickets issued.
    """
    now = now or utcnow()
    _check_request(event, items, donation_minor, now)
    tiers = {t.id: t for t in lock_ticket_types([i.ticket_type_id for i in items])}
    tiers = {tier_id: t for tier_id, t in tiers.items() if t.event_id == event.id}
    prices = [_check_item(n, i, tiers.get(i.ticket_type_id), now) for n, i in enumerate(items)]
    tickets_minor = sum(price * item.quantity for price, item in zip(prices, items, strict=True))
    total_minor = tickets_minor + donation_minor
    _check_total(total_minor, event.currency)
    _take_seats(tiers, items, now)
    order = Order(
        event_id=event.id,
        buyer_name=buyer_name.strip(),
        buyer_email=buyer_email.strip(),
        currency=event.currency,
        tickets_minor=tickets_minor,
        donation_minor=donation_minor,
        total_minor=total_minor,
        expires_at=now + hold_duration(),
        access_token_hash="",
        created_at=now,
    )
    order.lines = [
        OrderLine(ticket_type_id=item.ticket_type_id, quantity=item.quantity, unit_price_minor=p)
        for item, p in zip(items, prices, strict=True)
    ]
    db.session.add(order)
    db.session.flush()
    token = seal(order)
    if total_minor == 0:
        mark_paid(order, now)
    return order, token


def mark_paid(order: Order, now: datetime | None = None) -> None:
    """The order's money is in: it is paid and its tickets exist (exactly once)."""
    order.status = "paid"
    order.paid_at = now or utcnow()
    order.expires_at = None
    if issue_tickets(order):
        # In the same commit as "paid": a crash before the email goes out
        # leaves it pending, and `flask send-pending-emails` finds it.
        order.email_status = "pending"
    db.session.flush()


def lock_order(order_id: int) -> Order | None:
    """The order, locked for this transaction (fulfilment and refunds serialize on it)."""
    query = select(Order).where(Order.id == order_id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    try:
        return db.session.execute(query).scalar_one_or_none()
    except OperationalError as exc:
        db.session.rollback()
        raise Busy("This order is being updated: please try again in a moment.") from exc


def hold_is_live(order: Order, now: datetime | None = None) -> bool:
    return order.status == "pending" and (
        order.expires_at is None or order.expires_at > (now or utcnow())
    )


def release_hold(order: Order, status: str = "expired") -> bool:
    """End a pending order's hold (expired by time or Stripe, or canceled by the buyer)."""
    if order.status != "pending":
        return False
    order.status = status
    if status == "canceled":
        order.canceled_at = utcnow()
    db.session.flush()
    return True


def check_still_available(order: Order, now: datetime | None = None) -> bool:
    """For a payment that came after its hold lapsed: are its seats still free?"""
    tiers = lock_ticket_types([line.ticket_type_id for line in order.lines])
    left = seats_left(tiers, now)
    return all(line.quantity <= left[line.ticket_type_id] for line in order.lines)


def expire_holds(now: datetime | None = None) -> int:
    """Mark pending orders whose hold has passed as expired; returns how many."""
    now = now or utcnow()
    result = db.session.execute(
        update(Order)
        .where(Order.status == "pending", Order.expires_at <= now)
        .values(status="expired")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
