"""Refunds recorded: money given back, on the order, the ledger and its tickets.

Asking Stripe for a refund is orders/refunding.py (a committed request
first); its status then follows Stripe's (orders/stripe_sync.py).
"""

from flask_babel import gettext
from sqlalchemy import select

from ticketing.errors import Conflict, DomainError
from ticketing.extensions import db
from ticketing.orders.models import Order
from ticketing.orders.status import mark_refunded
from ticketing.payments import ledger
from ticketing.payments.models import Payment, Refund


class PaymentProviderError(DomainError):
    status = 502
    code = "payment_provider_error"


def _payment_of(order: Order) -> Payment:
    payment = db.session.execute(
        select(Payment).where(Payment.order_id == order.id).order_by(Payment.id).limit(1)
    ).scalar_one_or_none()
    if payment is None or not payment.stripe_payment_intent_id:
        raise Conflict(gettext("This order was not paid by card; void its manual payment instead."))
    return payment


def apply_refund(order: Order, amount_minor: int, **refund_fields) -> Refund:
    """Record money given back at once (a refund already settled): row, ledger, order, tickets."""
    refund = Refund(
        order_id=order.id, amount_minor=amount_minor, currency=order.currency, **refund_fields
    )
    db.session.add(refund)
    db.session.flush()
    book_refund(order, refund, amount_minor)
    return refund


def book_refund(order: Order, refund: Refund, amount_minor: int) -> None:
    """Money went back: the ledger's refund entry, the order's refunded amount and status."""
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
