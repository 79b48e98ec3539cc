"""Refunds: money going back, through Stripe. Services only flush.

The refund itself is a committed request first (payments/refunding.py);
its status then follows Stripe's (payments/charge_sync.py).
"""

from sqlalchemy import select

from ticketing.errors import Conflict, DomainError
from ticketing.extensions import db
from ticketing.orders.models import Order
from ticketing.orders.status import mark_refunded
from ticketing.payments.models import Payment, Refund
from ticketing.reports import ledger


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


def apply_refund(order: Order, amount_minor: int, **refund_fields) -> Refund:
    """Record money given back at once (a refund already settled): row, ledger, order, tickets."""
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
    mark_refunded(order, amount_minor)
    return refund


def refund_order(
    order: Order,
    amount_minor: int | None = None,
    actor_user_id: int | None = None,
    client_key: str | None = None,
) -> Refund:
    """Refund all (None) or part of a card-paid order through Stripe.

    A refund request is committed first, then sent under its own random
    Stripe idempotency key (see payments/refunding.py); the same
    `client_key` on the same order refunds once.
    """
    from ticketing.payments import refunding

    return refunding.refund_order(order, amount_minor, actor_user_id, client_key)
