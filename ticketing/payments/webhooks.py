"""Stripe events: which ones we act on, and what each one does.

The caller verified the signature and commits; a duplicate event id is
refused by the unique constraint on stripe_events, so a redelivery is a no-op.
"""

import logging

from sqlalchemy import select

from ticketing.extensions import db
from ticketing.orders.models import Order
from ticketing.payments import fees, fulfilment, gateway, refunding, services
from ticketing.payments.models import StripeEvent

log = logging.getLogger(__name__)

SESSION_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.expired",
)
HANDLED = (*SESSION_EVENTS, "charge.refunded", "charge.dispute.created", "charge.updated")


def already_seen(event_id: str) -> bool:
    return (
        db.session.execute(
            select(StripeEvent.id).where(StripeEvent.stripe_event_id == event_id)
        ).first()
        is not None
    )


def remember(event) -> None:
    """Record the event id in this transaction (a racing twin fails on the unique key)."""
    db.session.add(StripeEvent(stripe_event_id=event.id, type=event.type))
    db.session.flush()


def fetch_object(event):
    """Re-read the event's object from Stripe rather than trusting the payload."""
    obj = event.data.object
    if event.type in SESSION_EVENTS:
        return gateway.retrieve_session(obj.id)
    if event.type == "charge.updated":  # e.g. its balance transaction (the fee) appeared
        return gateway.retrieve_charge(obj.id)
    if event.type == "charge.refunded":
        intent = _intent_id(gateway.retrieve_charge(obj.id))
        refunds = gateway.list_refunds(intent).data if intent else []
        return {"payment_intent": intent, "refunds": refunds}
    return gateway.retrieve_dispute(obj.id)


def handle(event, fresh) -> dict:
    """Apply one verified event whose object was re-read (`fresh`). Returns what happened."""
    if event.type in SESSION_EVENTS:
        # What Stripe says now decides, not the event's name: an "expired"
        # event for a session that was in fact paid fulfils it.
        if getattr(fresh, "payment_status", None) == "paid":
            order = fulfilment.fulfil_session(fresh)
            return {"fulfilled_order_id": order.id if order else None}
        if getattr(fresh, "status", None) == "expired":
            return {"released": fulfilment.expire_session_order(fresh)}
        return {}
    if event.type == "charge.refunded":
        refunds = services.record_stripe_refunds(fresh["payment_intent"], fresh["refunds"])
        return {"refunded_order_id": refunds[0].order_id if refunds else None}
    if event.type == "charge.updated":
        payment = fees.fill_in_fee(fresh)
        return {"fee_filled_payment_id": payment.id if payment else None}
    if event.type == "charge.dispute.created":
        order = services.flag_dispute(_intent_id(fresh), getattr(fresh, "reason", "") or "")
        return {"flagged_order_id": order.id if order else None}
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


def _intent_id(obj) -> str | None:
    intent = getattr(obj, "payment_intent", None)
    return intent if isinstance(intent, str) or intent is None else intent.id
