"""The task bodies. Each is its own unit of work, like a request: it commits
(the services it calls flush only), and holds no transaction while SMTP or
Stripe answers. Every one is idempotent: the rows they claim say what is done.
"""

import functools
import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ticketing.database import utcnow
from ticketing.delivery import outbox, reminders
from ticketing.delivery.email import SEND_ERRORS, transmit
from ticketing.delivery.reservation_mail import build_order_email
from ticketing.extensions import db
from ticketing.orders import fees, refunding, stripe_inbox
from ticketing.orders.refund_records import PaymentProviderError
from ticketing.orders.services import expire_holds
from ticketing.payments import gateway
from ticketing.payments.models import RefundRequest
from ticketing.tasks.mail_lanes import lanes
from ticketing.tasks.queue import enqueue, unmark
from ticketing.tasks.stripe_events import apply_stripe_event

log = logging.getLogger(__name__)

REFUND_MAX_ATTEMPTS = 20


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def _backoff(attempt: int) -> timedelta:
    config = current_app.config
    seconds = config["EMAIL_RETRY_SECONDS"] * 2 ** max(attempt - 1, 0)
    return timedelta(seconds=min(seconds, config["EMAIL_RETRY_MAX_SECONDS"]))


def send_ticket_email(
    order_id: int, manual: bool = False, max_attempts: int | None = None, backoff: bool = True
) -> str:
    """Claim the order's owed email and send it: 'sent', 'failed', 'skipped', or
    'handed over' (every mail lane busy: a thread in one sends it next, see mail_lanes).

    `manual`: a person asked (resend, reissue, retry button): no attempt cap.
    """
    return _in_a_lane(
        ("tickets", order_id, manual),  # one a person asked for is not merged into the sweep's
        lambda: _send_ticket_email(order_id, manual, max_attempts, backoff),
        "send_ticket_email", order_id, manual=manual,
    )  # fmt: skip


def _in_a_lane(lane_key, send, job: str, order_id: int, **flags) -> str:
    """`send` in a mail lane (mail_lanes); the job's queue mark goes when the send
    starts, or when the worker stops before it does."""
    release = functools.partial(
        unmark, job, order_id, app=current_app._get_current_object(), **flags
    )

    def started() -> str:
        release()  # a copy queued from now on is new work
        return send()

    return lanes().send(lane_key, started, release)


def _send_ticket_email(order_id: int, manual: bool, max_attempts: int | None, backoff: bool) -> str:
    config = current_app.config
    cap = None if manual else (max_attempts or config["EMAIL_MAX_ATTEMPTS"])
    now = utcnow()
    attempt = outbox.claim(
        order_id, now, config["EMAIL_LEASE_SECONDS"], cap, respect_backoff=backoff and not manual
    )
    db.session.commit()
    if attempt is None:
        return "skipped"
    try:
        owed = outbox.tickets_owed(order_id)
        message = build_order_email(*owed, attempt=attempt) if owed else None
    except Exception as exc:
        db.session.rollback()
        log.exception("Ticket email for order %s could not be built.", order_id)
        return _failed(order_id, attempt, exc)
    db.session.commit()  # no transaction while SMTP answers
    if message is None:
        return "skipped"
    try:
        where = transmit(message, order_id)
    except SEND_ERRORS as exc:
        return _failed(order_id, attempt, exc)
    outbox.record_sent(order_id, attempt)
    db.session.commit()
    log.info("Ticket email for order %s (attempt %s) delivered to %s.", order_id, attempt, where)
    return "sent"


def _failed(order_id: int, attempt: int, exc: Exception) -> str:
    config = current_app.config
    retry_at = utcnow() + _backoff(attempt) if attempt < config["EMAIL_MAX_ATTEMPTS"] else None
    outbox.record_failed(order_id, attempt, _error(exc), retry_at)
    db.session.commit()
    log.warning("Ticket email for order %s failed (%s); retry at %s.", order_id, exc, retry_at)
    return "failed"


def send_pending_emails(max_attempts: int | None = None) -> tuple[int, int]:
    """Run the email sweep now, here: every owed email, claimed one by one; (sent, failed).

    Backoff is not waited for; the attempt cap is kept. Two runs at once
    send each email once (the claim).
    """
    config = current_app.config
    cap = max_attempts or config["EMAIL_MAX_ATTEMPTS"]
    ids = outbox.due_ids(utcnow(), config["EMAIL_LEASE_SECONDS"], cap, respect_backoff=False)
    db.session.commit()
    sent = failed = 0
    for order_id in ids:
        outcome = send_ticket_email(order_id, max_attempts=cap, backoff=False)
        sent += outcome == "sent"
        failed += outcome == "failed"
    return sent, failed


def send_reminder(order_id: int) -> str:
    """The day-before reminder, once: 'sent', 'failed', 'skipped' or 'handed over'."""
    return _in_a_lane(
        ("reminder", order_id), lambda: _send_reminder(order_id), "send_reminder", order_id
    )


def _send_reminder(order_id: int) -> str:
    if not reminders.claim(order_id, utcnow(), current_app.config["EMAIL_LEASE_SECONDS"]):
        db.session.commit()
        return "skipped"
    message = reminders.message_for(order_id)
    db.session.commit()
    if message is None:
        return "skipped"
    try:
        transmit(message, order_id, kind="reminder-")
    except SEND_ERRORS as exc:
        reminders.release(order_id)
        db.session.commit()
        log.warning("Reminder for order %s failed (%s); the sweep retries it.", order_id, exc)
        return "failed"
    reminders.record_sent(order_id)
    db.session.commit()
    return "sent"


def send_refund(request_id: int) -> str:
    """Send a kept refund request to Stripe (a late payment's, or one Stripe never
    answered) and record the answer: 'sent', 'unsent' (try again later) or 'refused'.
    Stripe's idempotency key (one per request) makes a second send refund once."""
    try:
        step = refunding.refund_call(request_id)
    except PaymentProviderError:
        db.session.rollback()
        return "refused"
    if not isinstance(step, refunding.RefundCall):
        db.session.rollback()
        return "sent"
    db.session.commit()  # no transaction, so no lock, while Stripe answers
    try:
        made = gateway.create_refund(*step.args, key=step.key)
    except gateway.StripeError as exc:
        db.session.rollback()
        error = refunding.record_failure(request_id, exc)
        db.session.commit()
        return "refused" if isinstance(error, PaymentProviderError) else "unsent"
    refunding.record_success(request_id, made)
    db.session.commit()
    return "sent"


def send_unsent_refunds() -> tuple[int, int]:
    """Every refund request Stripe has not answered, here and now; (sent, left)."""
    sent = left = 0
    for request_id in refunding.unsent_request_ids():
        if send_refund(request_id) == "sent":
            sent += 1
        else:
            left += 1
    return sent, left


def expire_holds_now() -> int:
    count = expire_holds()
    db.session.commit()
    return count


def fill_unknown_fees(limit: int = 100) -> int:
    """Ask Stripe again for fees still unknown; one commit per fee found."""
    filled = 0
    for charge_id in fees.unknown_fee_charge_ids(limit):
        db.session.commit()  # no transaction while Stripe answers
        try:
            charge = gateway.retrieve_charge(charge_id)
        except gateway.StripeError as exc:
            log.warning("could not read charge %s for its fee: %s", charge_id, exc)
            continue
        if fees.fill_in_fee(charge) is not None:
            filled += 1
        db.session.commit()
    return filled


def reconcile_stripe(since_hours: float = 72.0) -> int:
    """The safety net under the webhooks, periodically; Stripe unreachable: next time."""
    from ticketing.tasks.reconcile import reconcile

    try:
        return len(reconcile(since_hours, log.info).repairs)
    except gateway.StripeError as exc:
        db.session.rollback()
        log.warning("reconcile-stripe: Stripe could not be read (%s); next period", exc)
        return 0


def sweep() -> dict:
    """Enqueue whatever is due and not done: Stripe events, emails, refunds, reminders."""
    config = current_app.config
    now = utcnow()
    lease = config["EMAIL_LEASE_SECONDS"]
    emails = outbox.due_ids(now, lease, config["EMAIL_MAX_ATTEMPTS"])
    refunds = _unsent_refund_ids()
    due_reminders = reminders.due_ids(now, lease)
    events = stripe_inbox.due_ids(now)
    db.session.commit()
    for row_id in events:  # (each enqueue adds nothing while the row's task waits)
        enqueue("apply_stripe_event", row_id)
    for order_id in emails:
        enqueue("send_ticket_email", order_id)
    for request_id in refunds:
        enqueue("send_refund", request_id)
    for order_id in due_reminders:
        enqueue("send_reminder", order_id)
    return {
        "stripe_events": len(events),
        "emails": len(emails),
        "refunds": len(refunds),
        "reminders": len(due_reminders),
    }


def _unsent_refund_ids() -> list[int]:
    query = select(RefundRequest.id).where(
        RefundRequest.status == "requested", RefundRequest.attempts < REFUND_MAX_ATTEMPTS
    )
    return list(db.session.execute(query.order_by(RefundRequest.id)).scalars())


JOBS = {
    "apply_stripe_event": apply_stripe_event,
    "send_ticket_email": send_ticket_email,
    "send_reminder": send_reminder,
    "send_refund": send_refund,
    "sweep": sweep,
    "expire_holds": expire_holds_now,
    "fill_unknown_fees": fill_unknown_fees,
    "reconcile_stripe": reconcile_stripe,
}
