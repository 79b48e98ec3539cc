"""Delivering the ticket email after the payment's commit, and retrying it.

A send never touches the payment: it runs after the order's commit, records
its own outcome on the order (email_status, email_attempts, email_error) in
its own commits, and a failure is retried by `flask send-pending-emails`.
With no MAIL_SERVER (development) the message is written to
instance/outbox/ instead, which counts as sent.

Call these after your own commit: they commit the current session.
"""

import logging
import os
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage

from flask import current_app, has_app_context
from sqlalchemy import select

from ticketing.delivery.message import build_ticket_email
from ticketing.extensions import db
from ticketing.orders.models import Order, OrderStatus
from ticketing.orders.signals import order_paid
from ticketing.tickets.models import TicketStatus
from ticketing.tickets.services import order_tickets

log = logging.getLogger(__name__)

# `send-pending-emails` gives up on an order after this many attempts.
MAX_ATTEMPTS = 5
SMTP_TIMEOUT_SECONDS = 15


def send_ticket_email(order_id: int) -> bool:
    """Send (or resend) a paid order's tickets; True when the message went out."""
    return _deliver(order_id) == "sent"


def send_pending_emails(max_attempts: int = MAX_ATTEMPTS) -> tuple[int, int]:
    """Send every paid order's email that is pending or failed; (sent, failed).

    Each order on its own: one that cannot be built or sent is logged and
    counted as failed, and the batch goes on to the next.
    """
    order_ids = list(
        db.session.execute(
            select(Order.id)
            .where(
                Order.status.in_(OrderStatus.SOLD),
                Order.email_status.in_(("pending", "failed")),
                Order.email_attempts < max_attempts,
            )
            .order_by(Order.id)
        ).scalars()
    )
    db.session.commit()
    sent = failed = 0
    for order_id in order_ids:
        outcome = _deliver_isolated(order_id)
        sent += outcome == "sent"
        failed += outcome == "failed"
    return sent, failed


def _deliver(order_id: int, *, once: bool = False) -> str:
    """'sent', 'failed', or 'skipped' (no such order, not paid, or no valid ticket).

    `once`: skip an order whose email already went out (the payment signal may
    come from both the webhook and the success page).
    """
    order = db.session.get(Order, order_id)
    if order is None or (once and order.email_status == "sent"):
        return "skipped"
    tickets = [t for t in order_tickets(order) if t.status == TicketStatus.VALID]
    if order.status not in OrderStatus.SOLD or not tickets:
        if order.email_status in ("pending", "failed"):
            # Refunded or canceled while waiting: nothing is owed any more.
            order.email_status, order.email_error = "none", "No valid tickets to send."
            db.session.commit()
        return "skipped"
    # Counted before the message is built and sent, so a crash half-way is still
    # retried (status pending) and bounded (attempts).
    order.email_status = "pending"
    order.email_attempts = Order.email_attempts + 1
    db.session.commit()
    message = build_ticket_email(order, tickets)
    try:
        where = transmit(message, order_id)
    except (smtplib.SMTPException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        _record(order_id, "failed", error)
        log.warning("Ticket email for order %s failed (%s); will be retried.", order_id, error)
        return "failed"
    _record(order_id, "sent", "")
    log.info("Ticket email for order %s delivered to %s.", order_id, where)
    return "sent"


def _record(order_id: int, status: str, error: str) -> None:
    order = db.session.get(Order, order_id)
    order.email_status, order.email_error = status, error
    db.session.commit()


def transmit(message: EmailMessage, order_id: int) -> str:
    """Hand the message to SMTP, or to the outbox folder without MAIL_SERVER; says where."""
    config = current_app.config
    server = config.get("MAIL_SERVER")
    if not server:
        return write_to_outbox(message, order_id)
    port = int(config.get("MAIL_PORT") or 25)
    timeout = config.get("MAIL_TIMEOUT", SMTP_TIMEOUT_SECONDS)
    with smtplib.SMTP(server, port, timeout=timeout) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)
    return f"{server}:{port}"


def outbox_dir() -> str:
    return current_app.config.get("MAIL_OUTBOX_DIR") or os.path.join(
        current_app.instance_path, "outbox"
    )


def write_to_outbox(message: EmailMessage, order_id: int) -> str:
    """Development: the message as an .eml file anyone can open in a mail program."""
    folder = outbox_dir()
    os.makedirs(folder, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = os.path.join(folder, f"{order_id}-{stamp}.eml")
    with open(path, "wb") as handle:
        handle.write(message.as_bytes())
    log.info("No MAIL_SERVER: ticket email for order %s written to %s", order_id, path)
    return path


def connect_signals(app) -> None:
    """Per app: a test's second app never sends the first one's email."""
    order_paid.connect(_on_order_paid, sender=app)


def _on_order_paid(app, order_id: int, **_extra) -> None:
    """After the payment's commit. Never raises: the payment stands whatever happens here."""
    if has_app_context() and current_app._get_current_object() is app:
        _deliver_safely(order_id)
    else:
        with app.app_context():
            _deliver_safely(order_id)


def _deliver_safely(order_id: int) -> None:
    _deliver_isolated(order_id, once=True)


def _deliver_isolated(order_id: int, *, once: bool = False) -> str:
    """_deliver that never raises: a broken order is logged and recorded 'failed'."""
    try:
        return _deliver(order_id, once=once)
    except Exception as exc:
        db.session.rollback()
        log.exception(
            "Ticket email for order %s broke; `flask send-pending-emails` retries it.", order_id
        )
        try:
            _record(order_id, "failed", f"{type(exc).__name__}: {exc}"[:1000])
        except Exception:
            db.session.rollback()
        return "failed"
