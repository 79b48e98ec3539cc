"""POST /webhooks/stripe, and mounting the offline stand-in in development."""

import logging

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from ticketing.config import is_development
from ticketing.database import utcnow
from ticketing.extensions import csrf, db
from ticketing.orders import stripe_inbox, webhooks
from ticketing.orders.signals import refund_requested, stripe_event_received
from ticketing.payments import gateway

log = logging.getLogger(__name__)

bp = Blueprint("payments", __name__)
STANDIN_PREFIX = "/_stripe"


@bp.post("/webhooks/stripe")
@csrf.exempt
def stripe_webhook():
    """Verify, keep the event (the outbox), commit, answer; a worker applies it.

    The answer never waits on Stripe: the task re-reads the event's object
    and applies it in its own transaction (ticketing/tasks/stripe_events.py),
    and the worker's sweep tries again what it could not apply yet.
    """
    payload = request.get_data()
    try:
        event = gateway.construct_event(payload, request.headers.get("Stripe-Signature"))
    except (ValueError, gateway.SignatureError):
        return jsonify(
            code="bad_signature", message=gettext("Invalid or stale Stripe signature.")
        ), 400
    if event.type not in webhooks.HANDLED:
        return jsonify(status="ignored", type=event.type)
    app = current_app._get_current_object()
    seen = stripe_inbox.find(event.id)
    if seen is None:
        try:
            row_id = stripe_inbox.receive(event, payload.decode("utf-8"), utcnow())
            db.session.commit()
        except IntegrityError:  # its twin, delivered at the same moment, was kept
            db.session.rollback()
            return jsonify(status="duplicate")
        stripe_event_received.send(app, event_row_id=row_id)
        return jsonify(status="received")
    row_id, status = seen
    db.session.rollback()
    if status == "received":  # Stripe sends it again: try now, backoff or not
        stripe_event_received.send(app, event_row_id=row_id, redelivered=True)
    elif status == "applied":  # a redelivery enqueues its refunds again (one per key)
        for request_id in webhooks.unsent_refunds(event):
            refund_requested.send(app, request_id=request_id)
    return jsonify(status="duplicate")


def init_app(app) -> None:
    """In development only, with no Stripe key and no STRIPE_API_BASE, serve the
    stand-in at /_stripe. Never inside a production app: its pages would share
    the app's origin and cookies (production runs it alone, on its own port)."""
    config = app.config
    if not is_development(config):
        return
    if not gateway.is_offline(config) or config.get("STRIPE_API_BASE"):
        return
    from standin import create_standin_app

    standin = create_standin_app(
        {
            "STANDIN_API_KEY": gateway.standin_api_key(config["SECRET_KEY"]),
            "STANDIN_ALLOWED_ORIGIN": config["BASE_URL"],
            "STANDIN_DB": config.get("STANDIN_DB") or f"{app.instance_path}/stripe-standin.db",
            "STANDIN_WEBHOOK_URL": config["BASE_URL"] + "/webhooks/stripe",
            "STANDIN_WEBHOOK_SECRET": gateway.webhook_secret(config),
            "STANDIN_WEBHOOK_MODE": config.get("STANDIN_WEBHOOK_MODE", "async"),
        }
    )
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {STANDIN_PREFIX: standin})
