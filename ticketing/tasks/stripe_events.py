"""Applying a kept Stripe event: the task behind POST /webhooks/stripe.

Its own unit of work: claim the row and commit, re-read the event's object
from Stripe with no transaction open, then mark it applied and apply it in
one transaction; only after that commit, the refunds it asked for and the
ticket email go to their own tasks. Stripe unreachable, or a refund about a
payment not recorded yet: the row stays received with a backoff, and the
sweep (or Stripe's own redelivery) tries again, up to stripe_inbox.MAX_ATTEMPTS.
"""

import logging

from flask import current_app

from ticketing.database import utcnow
from ticketing.extensions import db
from ticketing.orders import stripe_inbox, webhooks
from ticketing.orders.signals import order_paid, refund_requested
from ticketing.orders.stripe_sync import PaymentNotRecorded
from ticketing.payments import gateway
from ticketing.tasks.queue import enqueue

log = logging.getLogger(__name__)


def apply_stripe_event(event_row_id: int, redelivered: bool = False) -> str:
    """'applied', 'retry', 'skipped' (another claimant, done, or not due) or 'failed'."""
    claimed = stripe_inbox.claim(event_row_id, utcnow(), respect_backoff=not redelivered)
    db.session.commit()
    if claimed is None:
        return "skipped"
    attempt, payload = claimed
    event = gateway.event_from_payload(payload)
    try:
        fresh = webhooks.fetch_object(event)
    except gateway.InvalidRequest:
        log.warning("Stripe event %s names an object Stripe does not know", event.id)
        return _applied(event_row_id, attempt, event, None)
    except gateway.StripeError as exc:
        db.session.rollback()
        return _retry(event_row_id, attempt, f"{type(exc).__name__}: {exc}")
    return _applied(event_row_id, attempt, event, fresh)


def _applied(event_row_id: int, attempt: int, event, fresh) -> str:
    try:
        if not stripe_inbox.mark_applied(event_row_id, utcnow()):
            db.session.rollback()  # a twin applied it first
            return "skipped"
        if fresh is None:
            outcome = {"ignored": "object unknown to Stripe"}
        else:
            outcome = webhooks.handle(event, fresh)
        stripe_inbox.record_outcome(event_row_id, outcome)
        db.session.commit()
    except PaymentNotRecorded:
        # Fulfilment reads the charge's refunds and disputes itself; this is
        # tried again once the payment is recorded (or by the sweep).
        db.session.rollback()
        return _retry(event_row_id, attempt, stripe_inbox.NOT_RECORDED)
    _after_commit(event, outcome)
    return "applied"


def _retry(event_row_id: int, attempt: int, error: str) -> str:
    status = stripe_inbox.record_retry(event_row_id, attempt, error, utcnow())
    db.session.commit()
    log.warning("Stripe event row %s not applied (%s): %s", event_row_id, error, status)
    return "retry" if status == "received" else "failed"


def _after_commit(event, outcome: dict) -> None:
    """The refunds this event asked for, the email, and events that waited for this payment."""
    app = current_app._get_current_object()
    order_id = outcome.get("fulfilled_order_id")
    if not order_id:  # a paid order has no refund to send
        for request_id in webhooks.unsent_refunds(event):
            refund_requested.send(app, request_id=request_id)
        return
    order_paid.send(app, order_id=order_id)
    waiting = stripe_inbox.waiting_for_a_payment_ids()
    db.session.commit()
    for row_id in waiting:
        enqueue("apply_stripe_event", row_id, True, app=app)
