"""Tickets sold at the door for cash or a transfer. Services only flush.

A door sale is an order like an online one (orders.services.create_order,
source "door", paid at once), so its seats count against capacity through
the same claim and its tickets get codes the scanner accepts; the money is
a manual payment record (payments.manual) that adds to the totals.
"""

from flask import current_app
from flask_babel import gettext

from ticketing.database import utcnow
from ticketing.errors import ValidationFailed
from ticketing.events.models import Event, TicketType
from ticketing.extensions import db
from ticketing.i18n import current_locale
from ticketing.orders.claims import SoldOut
from ticketing.orders.models import Order
from ticketing.orders.services import DOOR, ItemRequest, create_order, expire_holds
from ticketing.orders.signals import order_paid
from ticketing.orders.status import void_door_sale
from ticketing.payments import manual
from ticketing.payments.manual import MAX_DOOR_QUANTITY
from ticketing.payments.models import ManualPayment


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
    recorded_by_token_id=None,
) -> ManualPayment:
    """Tickets paid in cash at the door: a paid order, its tickets, and the manual record."""
    tier = db.session.get(TicketType, ticket_type_id)
    if tier is None or tier.event_id != event.id:
        raise ValidationFailed(
            gettext("No such ticket type for this event."), field="ticket_type_id"
        )
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationFailed(gettext("The quantity is a whole number."), field="quantity")
    if not 0 < quantity <= MAX_DOOR_QUANTITY:
        raise ValidationFailed(
            gettext(
                "Sell 1 to %(MAX_DOOR_QUANTITY)s tickets.", MAX_DOOR_QUANTITY=MAX_DOOR_QUANTITY
            ),
            field="quantity",
        )
    if amount_minor is None:
        amount_minor = tier.price_minor * quantity
    manual.check_amount(amount_minor)
    manual.check_method(method)

    # The database's seat claim (as for checkout) decides the last seat
    # between a door sale and an online buyer; lapsed holds give theirs back first.
    now = utcnow()
    expire_holds(now, tier_ids=[tier.id])
    db.session.refresh(tier, ["seats_claimed"])  # the triggers changed it
    tier_name, left = tier.name, tier.seats_left
    if quantity > left:
        raise SoldOut(
            gettext("Only %(left)s left of %(tier)s.", left=left, tier=tier_name),
            field="quantity",
            available={str(tier.id): left},
        )
    try:
        sold = create_order(
            event,
            buyer_name=buyer_name or "Door sale",
            buyer_email=buyer_email,
            items=[ItemRequest(tier.id, quantity, amount_minor // quantity)],
            tickets_minor=amount_minor,
            source=DOOR,
            now=now,
            locale=current_locale(),  # the tickets are emailed in the staff's language
        )
    except SoldOut:
        raise SoldOut(
            gettext("%(tier)s just sold out.", tier=tier_name),
            field="quantity",
            available={str(ticket_type_id): 0},
        ) from None

    payment = ManualPayment(
        event_id=event.id,
        order_id=sold.id,
        kind="tickets",
        method=method,
        amount_minor=amount_minor,
        currency=event.currency,
        note=note,
        recorded_by_id=recorded_by_id,
        recorded_by_token_id=recorded_by_token_id,  # the door device that took the cash
    )
    db.session.add(payment)
    db.session.flush()
    manual.record_entry(payment)
    return payment


def void(payment: ManualPayment, *, reason: str = "", voided_by_id=None):
    """Void a cash record; a door sale's order is canceled and its tickets revoked."""
    manual.void(payment, reason=reason, voided_by_id=voided_by_id)
    if payment.order_id is not None:
        void_door_sale(db.session.get(Order, payment.order_id), payment.voided_at)
    return payment


def announce_door_sale(payment: ManualPayment) -> None:
    """After the commit: door tickets with an email address go out like online ones."""
    order = db.session.get(Order, payment.order_id) if payment.order_id else None
    if order is not None and order.buyer_email:
        order_paid.send(current_app._get_current_object(), order_id=order.id)
