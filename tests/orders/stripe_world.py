"""Helpers for the Stripe lifecycle tests: events at the stand-in, delivered when the test says."""

import json

from sqlalchemy import select

from tests.orders.test_webhooks import deliver
from ticketing.orders.models import Order
from ticketing.payments.models import LedgerEntry, Payment, Refund
from ticketing.tickets.models import Ticket


def event_body(shop, event_type: str, index: int = 0) -> str:
    """The stand-in's `index`-th newest event of that type, as Stripe would post it."""
    return json.dumps(shop.standin.events(event_type)[index]["event"])


def intent_of(shop, created: dict) -> str:
    return (
        shop.standin.client().v1.checkout.sessions.retrieve(shop.session_id(created)).payment_intent
    )


def admin(shop, path: str, body: dict | None = None) -> dict:
    shop.release()
    response = shop.standin.admin("POST", path, json=body or {})
    assert response.status_code == 200, response.text
    return response.json()


def state(db, order_id: int) -> dict:
    """What the app recorded for the order, read in a fresh transaction."""
    db.session.commit()
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    tickets = db.session.execute(select(Ticket.status).where(Ticket.order_id == order_id)).scalars()
    refunds = db.session.execute(
        select(Refund.status, Refund.amount_minor).where(Refund.order_id == order_id)
    ).all()
    ledger = db.session.execute(
        select(LedgerEntry.kind, LedgerEntry.amount_minor)
        .where(LedgerEntry.order_id == order_id)
        .order_by(LedgerEntry.id)
    ).all()
    payment = db.session.execute(
        select(Payment).where(Payment.order_id == order_id)
    ).scalar_one_or_none()
    result = {
        "status": order.status,
        "refunded_minor": order.refunded_minor,
        "tickets": sorted(tickets),
        "refunds": sorted(tuple(r) for r in refunds),
        "ledger": [tuple(e) for e in ledger],
        "payment": (payment.status, payment.amount_minor) if payment else None,
        "attention": order.attention_reason,
    }
    db.session.commit()
    return result


__all__ = ["admin", "deliver", "event_body", "intent_of", "state"]
