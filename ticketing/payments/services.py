"""Refunds and disputes: money going back, through Stripe. Services only flush."""

from sqlalchemy import select

from ticketing.errors import Conflict, DomainError, ValidationFailed
from ticketing.extensions import db
from ticketing.money import exponent
from ticketing.orders import services as orders
from ticketing.orders.models import Order
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
    remaining = order.total_minor - order.refunded_minor
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


def order_of_payment_intent(payment_intent_id: str | None) -> Order | None:
    if not payment_intent_id:
        return None
    order_id = db.session.execute(
        select(Payment.order_id).where(Payment.stripe_payment_intent_id == payment_intent_id)
    ).scalar_one_or_none()
    return orders.lock_order(order_id) if order_id else None


def record_stripe_refunds(payment_intent_id: str | None, stripe_refunds) -> list[Refund]:
    """charge.refunded: record refunds made outside the app (e.g. Stripe's dashboard).

    `stripe_refunds` were listed from Stripe before this transaction began.
    """
    order = order_of_payment_intent(payment_intent_id)
    if order is None:
        return []
    known = set(
        db.session.execute(
            select(Refund.stripe_refund_id).where(Refund.order_id == order.id)
        ).scalars()
    )
    payment = _payment_of(order)
    recorded = []
    for refund in stripe_refunds:
        if refund.id in known or refund.status not in ("succeeded", "pending"):
            continue
        amount = min(int(refund.amount), order.total_minor - order.refunded_minor)
        if amount > 0:
            recorded.append(
                apply_refund(
                    order,
                    amount,
                    payment_id=payment.id,
                    stripe_refund_id=refund.id,
                    reason="Refunded in Stripe",
                )
            )
    return recorded


def flag_dispute(payment_intent_id: str | None, reason: str) -> Order | None:
    """A buyer disputed a charge: the organizer must answer it in Stripe."""
    order = order_of_payment_intent(payment_intent_id)
    if order is None:
        return None
    payment = _payment_of(order)
    payment.status = "disputed"
    order.needs_attention = True
    note = f"Dispute opened ({reason}): answer it in the Stripe dashboard."
    order.attention_reason = (order.attention_reason + "\n" + note).strip()
    db.session.flush()
    return order
