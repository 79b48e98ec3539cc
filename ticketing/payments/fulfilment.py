"""Turning a paid Checkout Session into a paid order, exactly once.

Both the webhook and the success page call `fulfil_session` with a session
re-read from Stripe. The order row is locked first, so two deliveries racing
each other serialize and the second finds the order already paid.
"""

import logging

from ticketing.database import utcnow
from ticketing.extensions import db
from ticketing.money import stripe_amount
from ticketing.orders import services as orders
from ticketing.orders.models import Order
from ticketing.payments import gateway
from ticketing.payments.models import Payment
from ticketing.reports import ledger

log = logging.getLogger(__name__)

PAID_ALREADY = ("paid", "partially_refunded", "refunded")


def order_id_of(session) -> int | None:
    metadata = getattr(session, "metadata", None)
    raw = getattr(metadata, "order_id", None) or getattr(session, "client_reference_id", None)
    return int(raw) if raw and str(raw).isdigit() else None


def _payment_intent_id(session) -> str | None:
    intent = getattr(session, "payment_intent", None)
    return intent if isinstance(intent, str) or intent is None else intent.id


def fulfil_session(session) -> Order | None:
    """Mark the session's order paid. Returns the order when THIS call paid it."""
    if getattr(session, "payment_status", None) != "paid":
        return None
    order_id = order_id_of(session)
    order = orders.lock_order(order_id) if order_id else None
    if order is None:
        log.warning("paid session %s names no order of ours; ignored", session.id)
        return None
    if order.status in PAID_ALREADY:
        return None
    if order.stripe_checkout_session_id not in (None, session.id):
        _flag(order, f"Payment came through another checkout session ({session.id}).")
    now = utcnow()
    if orders.hold_is_live(order, now) or orders.reclaim_seats(order):
        _record_payment(order, session)
        orders.mark_paid(order, now)
        expected = stripe_amount(order.total_minor, order.currency)
        if int(session.amount_total) != expected:
            _flag(order, f"Stripe charged {session.amount_total}; the order says {expected}.")
        return order
    _refund_late_payment(order, session)
    return None


def _record_payment(order: Order, session) -> Payment:
    intent = session.payment_intent
    fee = gateway.fee_of(intent) if not isinstance(intent, str) else None
    charge = getattr(intent, "latest_charge", None) if not isinstance(intent, str) else None
    payment = Payment(
        order_id=order.id,
        stripe_payment_intent_id=_payment_intent_id(session),
        stripe_charge_id=charge if isinstance(charge, str) else getattr(charge, "id", None),
        amount_minor=int(session.amount_total),
        fee_minor=fee or 0,
        fee_known=fee is not None,  # else charge.updated or the sweep fills it in
        currency=order.currency,
    )
    db.session.add(payment)
    db.session.flush()
    order.stripe_checkout_session_id = session.id
    order.stripe_payment_intent_id = payment.stripe_payment_intent_id
    refs = {"order_id": order.id, "payment_id": payment.id}
    if order.tickets_minor:
        ledger.record(order.event_id, "ticket_sale", order.tickets_minor, order.currency, **refs)
    if order.donation_minor:
        ledger.record(order.event_id, "donation", order.donation_minor, order.currency, **refs)
    if fee:
        ledger.record(order.event_id, "fee", fee, order.currency, **refs)
    return payment


def _refund_late_payment(order: Order, session) -> None:
    """The hold lapsed and the seats were sold to someone else: give the money back.

    Only the refund request is written here, in the webhook's transaction;
    Stripe is asked after the commit (`refunding.send_refund_request`), so no
    row lock is held while Stripe answers, and a redelivery or the
    `retry-refunds` sweep sends it again if Stripe could not be reached.
    """
    from ticketing.payments import refunding

    payment = _record_payment(order, session)
    refunding.request_late_refund(
        order, payment, reason="Payment arrived after the hold lapsed and the seats were sold."
    )
    _flag(order, "Paid after the hold lapsed; the seats were gone, so it is refunded at once.")
    db.session.flush()


def _flag(order: Order, reason: str) -> None:
    order.needs_attention = True
    order.attention_reason = (order.attention_reason + "\n" + reason).strip()
    log.warning("order %s needs attention: %s", order.id, reason)


def expire_session_order(session) -> bool:
    """checkout.session.expired: release the hold (a paid order is left alone)."""
    order_id = order_id_of(session)
    order = orders.lock_order(order_id) if order_id else None
    if order is None:
        return False
    return orders.release_hold(order, "expired")
