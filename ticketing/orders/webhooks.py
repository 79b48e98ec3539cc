"""Stripe events: which ones we act on, and what each one does.

The webhook verified the signature and kept the event (stripe_inbox); a
worker's task re-reads its object from Stripe (`fetch_object`) and applies
it (`handle`) in the transaction that marks it applied. One that cannot be
applied yet (a refund of a payment not recorded yet) raises
PaymentNotRecorded: the row stays received and is tried again.
"""

import logging

from sqlalchemy import select

from ticketing.extensions import db
from ticketing.orders import fees, fulfilment, refunding, stripe_sync
from ticketing.orders.models import Order, OrderStatus
from ticketing.orders.stripe_sync import ChargeFacts
from ticketing.payments import gateway

log = logging.getLogger(__name__)

ASYNC_FAILED = "checkout.session.async_payment_failed"
SESSION_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    ASYNC_FAILED,
    "checkout.session.expired",
)
# Every event about a charge's refunds or disputes re-reads all of them.
CHARGE_EVENTS = (
    "charge.refunded",
    "charge.refund.updated",
    "refund.created",
    "refund.updated",
    "refund.failed",
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
)
# A charge whose balance transaction (the fee) appeared after the payment.
FEE_EVENT = "charge.updated"
HANDLED = (*SESSION_EVENTS, *CHARGE_EVENTS, FEE_EVENT)


def fetch_object(event):
    """Re-read the event's object from Stripe rather than trusting the payload."""
    obj = event.data.object
    if event.type in SESSION_EVENTS:
        return fulfilment.read_session(obj.id)
    if event.type == FEE_EVENT:
        return gateway.retrieve_charge(obj.id)
    kind = getattr(obj, "object", None)
    if kind == "refund":
        charge_id = _id(gateway.retrieve_refund(obj.id).charge)
    elif kind == "dispute":
        charge_id = _id(gateway.retrieve_dispute(obj.id).charge)
    else:
        charge_id = obj.id
    return charge_facts(gateway.retrieve_charge(charge_id))


def charge_facts(charge) -> ChargeFacts:
    """All a charge's refunds and disputes, and the session that made it, as Stripe has them."""
    intent = _id(getattr(charge, "payment_intent", None))
    if intent:
        refunds = gateway.list_refunds(intent).data
    else:  # a charge made without a payment intent: its own (expanded) list, if any
        refunds = getattr(getattr(charge, "refunds", None), "data", None) or []
    disputes = gateway.list_disputes(charge.id) if getattr(charge, "disputed", False) else []
    session_id = gateway.session_of_payment_intent(intent) if intent else None
    return ChargeFacts(intent, list(refunds), list(disputes), session_id)


def handle(event, fresh) -> dict:
    """Apply one verified event whose object was re-read (`fresh`). Returns what happened."""
    if event.type in SESSION_EVENTS:
        return _handle_session(event, *fresh)
    if event.type == FEE_EVENT:
        payment = fees.fill_in_fee(fresh)
        return {"fee_filled_payment_id": payment.id if payment else None}
    result = stripe_sync.sync_charge(fresh)
    if result is None:
        return {"ignored": "not a payment of ours"}
    refunded = result.refunded[0].order_id if result.refunded else None
    return {"refunded_order_id": refunded, "changes": result.changed}


def _handle_session(event, session, disputes) -> dict:
    problem = fulfilment.not_own_session(fulfilment.order_of(session), session)
    if problem:
        log.warning("Stripe event %s (%s) ignored: %s", event.id, event.type, problem)
        return {"ignored": problem}
    # What Stripe says now decides, not the event's name: an "expired"
    # event for a session that was in fact paid fulfils it.
    if getattr(session, "payment_status", None) == "paid":
        order = fulfilment.fulfil_session(session, disputes)
        return {"fulfilled_order_id": order.id if order else None}
    if getattr(session, "status", None) == "expired":
        return {"released": fulfilment.expire_session_order(session)}
    if event.type == ASYNC_FAILED:
        # The delayed payment (a bank debit) failed: the seats go back.
        return {"released": fulfilment.expire_session_order(session, OrderStatus.CANCELED)}
    return {}


def unsent_refunds(event) -> list[int]:
    """Refund requests of this session's order that Stripe has not answered yet
    (a late payment's): sent after the commit, and again on a redelivery."""
    if event.type not in SESSION_EVENTS:
        return []
    session_id = getattr(event.data.object, "id", None)
    order_id = db.session.execute(
        select(Order.id).where(Order.stripe_checkout_session_id == session_id)
    ).scalar_one_or_none()
    return refunding.unsent_request_ids(order_id) if order_id else []


def _id(obj) -> str | None:
    return obj if isinstance(obj, str) or obj is None else obj.id
