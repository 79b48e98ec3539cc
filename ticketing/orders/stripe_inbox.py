"""The Stripe events received and not yet applied: the webhook's outbox.

The webhook verifies an event, keeps its body here and commits; a worker's
task claims the row (a conditional UPDATE only one claimant wins, with a
lease so that a killed worker's event is taken over), re-reads the object
from Stripe with no transaction open, and applies it in a transaction that
first marks the row applied (again conditionally: a twin that got this far
too changes nothing). Services flush only; the caller commits.
"""

import json
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from ticketing.extensions import db
from ticketing.payments.models import StripeEvent

MAX_ATTEMPTS = 20
LEASE = timedelta(seconds=120)  # above a Stripe read's longest wait (3 tries of 8 s)
BACKOFF_SECONDS, BACKOFF_MAX_SECONDS = 5, 1800
NOT_RECORDED = "payment_not_recorded"
# A kept event's own task should have run by then; after it, the sweep
# enqueues it again (its task was lost: the broker was down, say).
FIRST_TRY_GRACE = timedelta(seconds=60)


def receive(event, payload: str, now: datetime) -> int:
    """Keep a verified event (a racing twin fails on the unique event id)."""
    row = StripeEvent(
        stripe_event_id=event.id,
        type=event.type,
        payload=payload,
        status="received",
        due_at=now + FIRST_TRY_GRACE,
    )
    db.session.add(row)
    db.session.flush()
    return row.id


def find(event_id: str) -> tuple[int, str] | None:
    """(row id, status) of an event received before, or None."""
    query = select(StripeEvent.id, StripeEvent.status).where(
        StripeEvent.stripe_event_id == event_id
    )
    row = db.session.execute(query).first()
    return (row.id, row.status) if row else None


def _claimable(now: datetime, respect_backoff: bool):
    conditions = [
        StripeEvent.status == "received",
        or_(StripeEvent.claimed_at.is_(None), StripeEvent.claimed_at < now - LEASE),
    ]
    if respect_backoff:
        conditions.append(or_(StripeEvent.due_at.is_(None), StripeEvent.due_at <= now))
    return conditions


def claim(row_id: int, now: datetime, respect_backoff: bool = True) -> tuple[int, str] | None:
    """Claim the row for this try: (attempt, payload), or None when another
    worker holds it, it is applied, or (respect_backoff) its next try is not due."""
    if respect_backoff and _first_try(row_id):
        respect_backoff = False  # the task enqueued by the webhook
    claimed = db.session.execute(
        update(StripeEvent)
        .where(StripeEvent.id == row_id, *_claimable(now, respect_backoff))
        .values(claimed_at=now, attempts=StripeEvent.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    row = db.session.execute(
        select(StripeEvent.attempts, StripeEvent.payload).where(StripeEvent.id == row_id)
    ).one()
    return row.attempts, row.payload


def _first_try(row_id: int) -> bool:
    attempts = db.session.execute(
        select(StripeEvent.attempts).where(StripeEvent.id == row_id)
    ).scalar_one_or_none()
    return attempts == 0


def mark_applied(row_id: int, now: datetime) -> bool:
    """First statement of the applying transaction: False if a twin applied it already.

    On PostgreSQL a twin's UPDATE waits for this transaction and then finds
    the row applied; on SQLite writers take turns."""
    done = db.session.execute(
        update(StripeEvent)
        .where(StripeEvent.id == row_id, StripeEvent.status == "received")
        .values(status="applied", applied_at=now, claimed_at=None, due_at=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def record_outcome(row_id: int, outcome: dict) -> None:
    db.session.execute(
        update(StripeEvent)
        .where(StripeEvent.id == row_id)
        .values(outcome=json.dumps(outcome, sort_keys=True, default=str)[:2000])
        .execution_options(synchronize_session=False)
    )


def record_retry(row_id: int, attempt: int, error: str, now: datetime) -> str:
    """Not applied this time: try again after a backoff, or give up after MAX_ATTEMPTS."""
    delay = min(BACKOFF_SECONDS * 2 ** max(attempt - 1, 0), BACKOFF_MAX_SECONDS)
    status = "received" if attempt < MAX_ATTEMPTS else "failed"
    db.session.execute(
        update(StripeEvent)
        .where(StripeEvent.id == row_id, StripeEvent.status == "received")
        .values(
            status=status,
            claimed_at=None,
            due_at=now + timedelta(seconds=delay),
            last_error=error[:1000],
        )
        .execution_options(synchronize_session=False)
    )
    return status


def due_ids(now: datetime, limit: int = 500) -> list[int]:
    """Received, unclaimed (or lease lapsed) and due: for the sweep."""
    query = select(StripeEvent.id).where(*_claimable(now, respect_backoff=True))
    return list(db.session.execute(query.order_by(StripeEvent.id).limit(limit)).scalars())


def waiting_for_a_payment_ids(limit: int = 500) -> list[int]:
    """Events that could not apply because their payment was not recorded yet."""
    query = select(StripeEvent.id).where(
        StripeEvent.status == "received", StripeEvent.last_error == NOT_RECORDED
    )
    return list(db.session.execute(query.order_by(StripeEvent.id).limit(limit)).scalars())
