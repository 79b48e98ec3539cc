"""Refunds and disputes: money going back, through Stripe. Services only flush."""

from sqlalchemy import select

from ticketing.errors import Conflict, DomainError, ValidationFailed
from ticketing.extensions import db
from ticketing.money import exponent
from ticketing.orders import services as orders
from ticketing.orders.models import Order
from ticketing.payments import charge_sync, gateway
from ticketing.payments.models import Payment, Refund
from ticketing.reports import ledger
from ticketing.tickets.services import revoke_tickets

REFUNDABLE = ("paid", "partially_refunded")


class PaymentProviderError(DomainError):
    status = 502
    code = "payment_provider_error"


def _payment_of(order: Order) -> Payment:
    payment = db.session.execute(
        select(Payment).where(Payment.order_id == order.id).order_by(Payment.id).limit(1)
    ).scalar_one_or_none()
    if payment is None or not payment.stripe_payment_intent_id:
        raise Conflict("This order was not paid by card; void its manual payment instead.")
    return payment


def _check_amount(order: Order, amount_minor: int | None) -> int:
    remaining = order.total_minor - order.refunded_minor - charge_sync.pending_minor(order)
    amount = remaining if amount_minor is None else amount_minor
    if amount <= 0 or amount > remaining:
        raise ValidationFailed(
            f"Refund between 1 and {remaining} minor units (what is left of the payment).",
            field="amount_minor",
        )
    if exponent(order.currency) == 3 and amount % 10:
        raise ValidationFailed(
            f"{order.currency} refunds must be a multiple of 10 minor units.",
            field="amount_minor",
        )
    return amount


def apply_refund(order: Order, amount_minor: int, **refund_fields) -> Refund:
    """Record money given back: the refund row, the ledger, the order and its tickets."""
    refund = Refund(
        order_id=order.id, amount_minor=amount_minor, currency=order.currency, **refund_fields
    )
    db.session.add(refund)
    db.session.flush()
    ledger.record(
        order.event_id,
        "refund",
        amount_minor,
        order.currency,
        order_id=order.id,
        refund_id=refund.id,
        created_by_id=refund.created_by_id,
    )
    order.refunded_minor += amount_minor
    if order.refunded_minor >= order.total_minor:
        order.status = "refunded"
        revoke_tickets(order)
    else:
        order.status = "partially_refunded"
    db.session.flush()
    return refund


def refund_order(
    order: Order, amount_minor: int | None = None, actor_user_id: int | None = None
) -> Refund:
    """Refund all (None) or part of a card-paid order through Stripe.

    No lock is held while Stripe is called: the idempotency key (order, what
    was refunded so far, amount) makes a double click one refund, and Stripe
    itself refuses refunding more than was paid. The order is locked only to
    record it, and a refund the charge.refunded webhook recorded first is
    not recorded twice.
    """
    if order.status not in REFUNDABLE:
        raise Conflict(f"The order is {order.status}; only paid orders can be refunded.")
    payment = _payment_of(order)
    amount = _check_amount(order, amount_minor)
    key = f"order-{order.id}-refund-{order.refunded_minor}-{amount}"
    try:
        stripe_refund = gateway.create_refund(
            payment.stripe_payment_intent_id, amount, order.id, key
        )
    except gateway.StripeError as exc:
        message = getattr(exc, "user_message", None) or str(exc)
        raise PaymentProviderError(f"Stripe refused the refund: {message}") from exc
    order = orders.lock_order(order.id)
    db.session.refresh(order)
    recorded = db.session.execute(
        select(Refund).where(Refund.stripe_refund_id == stripe_refund.id)
    ).scalar_one_or_none()
    if recorded is not None:
        return recorded
    return charge_sync.record_new_refund(order, payment, stripe_refund, actor_user_id)
