"""Cash and bank transfers recorded by an organizer. Services only flush.

Many buyers of these concerts hold cards Stripe cannot charge, so money
handed over at the door must count in the totals like card payments: each
record appends a `manual` ledger entry. Tickets sold at the door become a
paid order (source "door") so that they count against capacity and get
codes the scanner accepts. A mistake is voided by a reversing entry, never
deleted, so the ledger always explains how a total came to be.
"""

from flask import current_app
from sqlalchemy import select, update

from ticketing.accounts.tokens import hash_secret, new_secret
from ticketing.database import utcnow
from ticketing.errors import Conflict, ValidationFailed
from ticketing.events.models import Event, TicketType
from ticketing.extensions import db
from ticketing.orders.access import seal
from ticketing.orders.availability import seats_left
from ticketing.orders.models import Order, OrderLine, OrderStatus
from ticketing.orders.services import SeatsGone, SoldOut, expire_holds, flush_claim
from ticketing.orders.signals import order_paid
from ticketing.orders.status import void_door_sale
from ticketing.payments.models import MANUAL_METHODS, ManualPayment
from ticketing.reports import ledger
from ticketing.reports.models import LedgerEntry
from ticketing.tickets.services import issue_tickets

# Keeps sums far inside a 32-bit INTEGER column (PostgreSQL) whatever is typed.
MAX_AMOUNT_MINOR = 1_000_000_000
MAX_DOOR_QUANTITY = 500


class AlreadyVoided(Conflict):
    code = "already_voided"


def _check_amount(amount_minor: int) -> int:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise ValidationFailed("Amounts are whole minor units.", field="amount_minor")
    if not 0 < amount_minor <= MAX_AMOUNT_MINOR:
        raise ValidationFailed("The amount must be above zero.", field="amount_minor")
    return amount_minor


def _check_method(method: str) -> str:
    if method not in MANUAL_METHODS:
        raise ValidationFailed(
            f"Method must be one of {', '.join(MANUAL_METHODS)}.", field="method"
        )
    return method


def record_donation(
    event: Event, *, amount_minor: int, method: str, note: str = "", recorded_by_id=None
) -> ManualPayment:
    """A cash or bank-transfer donation: counts in totals as `manual`."""
    payment = ManualPayment(
        event_id=event.id,
        kind="donation",
        method=_check_method(method),
        amount_minor=_check_amount(amount_minor),
        currency=event.currency,
        note=note,
        recorded_by_id=recorded_by_id,
    )
    db.session.add(payment)
    db.session.flush()
    _record_entry(payment)
    return payment


def record_door_sale(
    event: Event,
    *,
    ticket_type_id: int,
    quantity: int,
    method: str,
    amount_minor: int | None = None,
    note: str = "",
    buyer_name: str = "",
    buyer_email: str = "",
    recorded_by_id=None,
) -> ManualPayment:
    """Tickets paid in cash at the door: a paid order, its tickets, and the manual record."""
    tier = db.session.get(TicketType, ticket_type_id)
    if tier is None or tier.event_id != event.id:
        raise ValidationFailed("No such ticket type for this event.", field="ticket_type_id")
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationFailed("The quantity is a whole number.", field="quantity")
    if not 0 < quantity <= MAX_DOOR_QUANTITY:
        raise ValidationFailed(f"Sell 1 to {MAX_DOOR_QUANTITY} tickets.", field="quantity")
    if amount_minor is None:
        amount_minor = tier.price_minor * quantity
    _check_amount(amount_minor)
    _check_method(method)

    # The database's seat claim (as for checkout) decides the last seat
    # between a door sale and an online buyer; lapsed holds give theirs back first.
    now = utcnow()
    expire_holds(now, tier_ids=[tier.id])
    tier_name, left = tier.name, seats_left([tier])[tier.id]
    if quantity > left:
        raise SoldOut(
            f"Only {left} left of {tier_name}.", field="quantity", available={str(tier.id): left}
        )

    order = Order(
        event_id=event.id,
        buyer_name=buyer_name or "Door sale",
        buyer_email=buyer_email,
        status=OrderStatus.PAID,
        source="door",
        currency=event.currency,
        tickets_minor=amount_minor,
        total_minor=amount_minor,
        # Replaced by the order's own derivable token once it has an id.
        access_token_hash=hash_secret(new_secret("ord")),
        paid_at=now,
    )
    order.lines.append(
        OrderLine(
            ticket_type_id=tier.id, quantity=quantity, unit_price_minor=amount_minor // quantity
        )
    )
    try:
        with db.session.begin_nested():
            db.session.add(order)
            flush_claim()
    except SeatsGone:
        raise SoldOut(
            f"{tier_name} just sold out.", field="quantity", available={str(ticket_type_id): 0}
        ) from None
    seal(order)
    issue_tickets(order)

    payment = ManualPayment(
        event_id=event.id,
        order_id=order.id,
        kind="tickets",
        method=method,
        amount_minor=amount_minor,
        currency=event.currency,
        note=note,
        recorded_by_id=recorded_by_id,
    )
    db.session.add(payment)
    db.session.flush()
    _record_entry(payment)
    return payment


def _record_entry(payment: ManualPayment) -> LedgerEntry:
    return ledger.record(
        payment.event_id,
        "manual",
        payment.amount_minor,
        payment.currency,
        order_id=payment.order_id,
        manual_payment_id=payment.id,
        note=payment.note,
        created_by_id=payment.recorded_by_id,
    )


def void(payment: ManualPayment, *, reason: str = "", voided_by_id=None) -> ManualPayment:
    """Cancel a mistaken record: a reversing entry, and door tickets revoked.

    The conditional update decides a race: of two voids, exactly one wins and
    the other gets 409, so the money is never reversed twice.
    """
    now = utcnow()
    won = db.session.execute(
        update(ManualPayment)
        .where(ManualPayment.id == payment.id, ManualPayment.voided_at.is_(None))
        .values(voided_at=now, voided_by_id=voided_by_id, void_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        raise AlreadyVoided("This payment was already voided.")
    db.session.refresh(payment)
    original = db.session.execute(
        select(LedgerEntry).where(
            LedgerEntry.manual_payment_id == payment.id, LedgerEntry.reverses_id.is_(None)
        )
    ).scalar_one()
    note = f"void: {reason}" if reason else "void"
    ledger.reverse(original, note=note, created_by_id=voided_by_id)
    if payment.order_id is not None:
        void_door_sale(db.session.get(Order, payment.order_id), now)
    return payment


def announce_door_sale(payment: ManualPayment) -> None:
    """After the commit: door tickets with an email address go out like online ones."""
    order = db.session.get(Order, payment.order_id) if payment.order_id else None
    if order is not None and order.buyer_email:
        order_paid.send(current_app._get_current_object(), order_id=order.id)


def manual_payments(event: Event) -> list[ManualPayment]:
    return list(
        db.session.execute(
            select(ManualPayment)
            .where(ManualPayment.event_id == event.id)
            .order_by(ManualPayment.created_at.desc(), ManualPayment.id.desc())
        ).scalars()
    )
