"""Turning a paid Checkout Session into a paid order, exactly once.

The webhook, the success page and `reconcile-stripe` call `fulfil_session`
with a session re-read from Stripe (`read_session`). The order row is locked
first, so two deliveries racing each other serialize and the second finds
the order already paid.

Only the order's own session counts: one Stripe account serves other apps,
and a session's metadata is whatever its maker wrote. A session that is not
the one this app created for the order, or that charged another amount or
currency, neither pays nor releases it (it is logged and ignored).
"""

import logging

from ticketing.database import MAX_ID, utcnow
from ticketing.extensions import db
from ticketing.money import stripe_amount
from ticketing.orders import refunding, reservations, stripe_sync
from ticketing.orders import services as orders
from ticketing.orders.models import Order, OrderStatus
from ticketing.payments import gateway, ledger
from ticketing.payments.models import Payment

log = logging.getLogger(__name__)


def order_id_of(session) -> int | None:
    metadata = getattr(session, "metadata", None)
    raw = getattr(metadata, "order_id", None) or getattr(session, "client_reference_id", None)
    if not raw or not str(raw).isdigit() or int(raw) > MAX_ID:
        return None  # another app's metadata can say anything
    return int(raw)


def _payment_intent_id(session) -> str | None:
    intent = getattr(session, "payment_intent", None)
    return intent if isinstance(intent, str) or intent is None else intent.id


def read_session(session_id: str) -> tuple:
    """The session as Stripe has it now, and its charge's disputes (none unless disputed).

    Network calls only: run it before the transaction that fulfils.
    """
    session = gateway.retrieve_session(session_id)
    charge = _charge_of(session)
    disputed = charge is not None and getattr(charge, "disputed", False)
    return session, (gateway.list_disputes(charge.id) if disputed else [])


def _charge_of(session):
    intent = getattr(session, "payment_intent", None)
    charge = getattr(intent, "latest_charge", None) if not isinstance(intent, str) else None
    return None if isinstance(charge, str) else charge


def not_own_session(order: Order | None, session) -> str | None:
    """Why `session` may not pay or release `order`; None when it is the order's own."""
    if order is None:
        return "it names no order of ours"
    if session.id != order.stripe_checkout_session_id:
        return f"order {order.id} was not sold through it"
    currency = str(getattr(session, "currency", "") or "").upper()
    if currency != order.currency:
        return f"it is in {currency or 'no currency'}, order {order.id} in {order.currency}"
    expected = stripe_amount(order.total_minor, order.currency)
    if getattr(session, "amount_total", None) != expected:
        return f"it is for {session.amount_total}, order {order.id} for {expected}"
    return None


def order_of(session) -> Order | None:
    """The order the session names (unlocked), whether or not it is the order's own."""
    order_id = order_id_of(session)
    return db.session.get(Order, order_id) if order_id else None


def own_order(session) -> Order | None:
    """The locked order `session` belongs to, or None (logged) when it is not its own."""
    order_id = order_id_of(session)
    order = orders.lock_order(order_id) if order_id else None
    problem = not_own_session(order, session)
    if problem:
        log.warning("Stripe session %s ignored: %s", session.id, problem)
        return None
    return order


def fulfil_session(session, disputes=()) -> Order | None:
    """Mark the session's order paid. Returns the order when THIS call paid it.

    Refunds and disputes Stripe already has on the charge (their events may
    have come first, and were refused until now) are applied right after.
    """
    if getattr(session, "payment_status", None) != "paid":
        return None
    order = own_order(session)
    if order is None or order.status in OrderStatus.SETTLED:
        return None
    now = utcnow()
    if order.status == OrderStatus.RESERVED:  # a reservation paid by card: its seats are held
        payment = _record_payment(order, session)
        reservations.settle(order, by_card=True)
        _apply_charge_history(order, payment, session, disputes)
        return order
    if order.payment_reference and order.status == OrderStatus.EXPIRED:
        _refund_late_payment(order, session)  # released, its tickets revoked: never revived
        return None
    if orders.hold_is_live(order, now) or orders.reclaim_seats(order):
        payment = _record_payment(order, session)
        orders.mark_paid(order, now)
        _apply_charge_history(order, payment, session, disputes)
        return order
    _refund_late_payment(order, session)
    return None


def _apply_charge_history(order: Order, payment: Payment, session, disputes) -> None:
    charge = _charge_of(session)
    refunds = getattr(charge, "refunds", None) if charge is not None else None
    known = list(getattr(refunds, "data", None) or [])
    if known or disputes:
        stripe_sync.apply_to_order(order, payment, known, list(disputes))


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
    Stripe is asked after the commit (`ticketing.tasks.jobs.send_refund`), so no
    row lock is held while Stripe answers, and a redelivery or the
    `retry-refunds` sweep sends it again if Stripe could not be reached.
    """
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


def expire_session_order(session, status: OrderStatus = OrderStatus.EXPIRED) -> bool:
    """checkout.session.expired (or a delayed payment that failed): release the hold.

    Only the order's own session may; a paid order is left alone.
    """
    order = own_order(session)
    if order is None:
        return False
    return orders.release_hold(order, status)
