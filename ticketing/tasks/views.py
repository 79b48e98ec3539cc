"""GET /readyz: is the worker alive and the queue flowing? And the app's wiring of tasks."""

import time

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ticketing.extensions import db
from ticketing.orders.signals import (
    order_paid,
    order_reserved,
    refund_requested,
    stripe_event_received,
)
from ticketing.tasks import mail_lanes
from ticketing.tasks.jobs import JOBS
from ticketing.tasks.queue import enqueue, huey_of, last_beat, register

bp = Blueprint("tasks", __name__)


def init_app(app) -> None:
    """This app's queue and tasks; its payments and refunds enqueue after their commit."""
    register(app, JOBS)
    mail_lanes.install(app)
    order_paid.connect(_on_order_paid, sender=app)
    order_reserved.connect(_on_order_paid, sender=app)  # its email too, with unpaid tickets
    refund_requested.connect(_on_refund_requested, sender=app)
    stripe_event_received.connect(_on_stripe_event, sender=app)


def _on_order_paid(app, order_id: int, **_extra) -> bool:
    return enqueue("send_ticket_email", order_id, app=app)


def _on_refund_requested(app, request_id: int, **_extra) -> bool:
    return enqueue("send_refund", request_id, app=app)


def _on_stripe_event(app, event_row_id: int, redelivered: bool = False, **_extra) -> bool:
    return enqueue("apply_stripe_event", event_row_id, redelivered, app=app)


@bp.get("/readyz")
def readyz():
    """200 when the database and the broker answer and a worker beat recently; else 503."""
    body = {"database": "ok", "broker": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError:
        db.session.rollback()
        body["database"] = "down"
    app = current_app._get_current_object()
    huey = huey_of(app)
    try:
        beat_at = last_beat(app)
        body["queue"] = {"pending": huey.pending_count(), "scheduled": huey.scheduled_count()}
    except Exception:
        beat_at, body["broker"] = None, "down"
    age = None if beat_at is None else round(max(time.time() - beat_at, 0.0), 1)
    alive = age is not None and age <= app.config["WORKER_STALE_SECONDS"]
    body["worker"] = {"alive": alive, "last_seen_seconds": age}
    ready = alive and body["database"] == "ok" and body["broker"] == "ok"
    body["status"] = "ok" if ready else "unavailable"
    return jsonify(body), 200 if ready else 503
