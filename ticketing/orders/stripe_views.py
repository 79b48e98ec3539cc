"""POST /webhooks/stripe, and mounting the offline stand-in in development."""

import logging

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from ticketing.config import is_development
from ticketing.errors import Busy
from ticketing.extensions import csrf, db
from ticketing.orders import webhooks
from ticketing.orders.signals import order_paid, refund_requested
from ticketing.orders.stripe_sync import PaymentNotRecorded
from ticketing.payments import gateway

log = logging.getLogger(__name__)


class StripeUnavailable(Busy):
    code = "stripe_unavailable"


bp = Blueprint("payments", __name__)
STANDIN_PREFIX = "/_stripe"


@bp.post("/webhooks/stripe")
@csrf.exempt
def stripe_webhook():
    """Verify, de-duplicate, re-read from Stripe, apply, commit; then notify."""
    try:
        event = gateway.construct_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except (ValueError, gateway.SignatureError):
        return jsonify(
            code="bad_signature", message=gettext("Invalid or stale Stripe signature.")
        ), 400
    if event.type not in webhooks.HANDLED:
        return jsonify(status="ignored", type=event.type)
    if webhooks.already_seen(event.id):
        _send_refunds(event)  # a redelivery enqueues them again (one Stripe refund per key)
        return jsonify(status="duplicate")
    db.session.rollback()  # hold no transaction (on SQLite: no lock) while Stripe answers
    fresh = _fetch(event)
    if fresh is None:
        return jsonify(status="ignored", reason="object unknown to Stripe")
    try:
        webhooks.remember(event)
        outcome = webhooks.handle(event, fresh)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return jsonify(status="duplicate")
    except PaymentNotRecorded:
        # Not applied, so not remembered: Stripe sends it again, and fulfilment
        # reads the charge's refunds and disputes itself in the meantime.
        db.session.rollback()
        message = "The payment this event is about is not recorded yet; send it again later."
        return jsonify(code="payment_not_recorded", message=message), 409
    if not outcome.get("fulfilled_order_id"):  # a paid order has no refund to send
        _send_refunds(event)
    _notify(outcome)
    if "ignored" in outcome:
        return jsonify(status="ignored", reason=outcome["ignored"])
    return jsonify(status="processed", **outcome)


def _fetch(event):
    try:
        return webhooks.fetch_object(event)
    except gateway.InvalidRequest:
        log.warning("Stripe event %s names an object Stripe does not know", event.id)
        return None
    except gateway.StripeError as exc:
        # Stripe is unreachable: answer 503 so that it delivers the event again.
        raise StripeUnavailable(
            gettext("Could not re-read the event's object from Stripe.")
        ) from exc


def _send_refunds(event) -> None:
    """After the commit: the refunds this event's handling requested go to the worker.

    The webhook never waits on Stripe's refund call: the task sends the kept
    request (its own Stripe key: one refund however often it is sent), and
    the worker's sweep sends it again while Stripe is unreachable.
    """
    app = current_app._get_current_object()
    for request_id in webhooks.unsent_refunds(event):
        refund_requested.send(app, request_id=request_id)


def _notify(outcome: dict) -> None:
    """Signals go out only after the commit, so an email failure undoes nothing."""
    app = current_app._get_current_object()
    if outcome.get("fulfilled_order_id"):
        order_paid.send(app, order_id=outcome["fulfilled_order_id"])


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
