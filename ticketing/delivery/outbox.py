"""The ticket email's outbox: the order's own row says what is owed and who sends it.

`email_status` pending or failed means an email is owed; `email_due_at` is
when the next attempt may start (backoff; NULL: now); `email_claimed_at` is
the lease of the worker sending it. A send is claimed by a conditional
UPDATE that only one claimant wins (on PostgreSQL the loser waits for the
winner's commit, then no longer matches), so two workers, a retry and an
overlapping `send-pending-emails` never send one attempt twice. A worker
killed mid-send leaves its claim; once the lease has passed, the next sweep
takes it over.

Services here flush and never commit: the task that calls them commits
(ticketing/tasks/jobs.py), and no transaction is open while SMTP answers.
"""

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from ticketing.extensions import db
from ticketing.orders.models import Order, OrderStatus
from ticketing.tickets.models import Ticket, TicketStatus
from ticketing.tickets.services import order_tickets

OWED = ("pending", "failed")


def _free(now: datetime, lease_seconds: float):
    """Nobody holds the send, or its holder's lease has passed."""
    stale = now - timedelta(seconds=lease_seconds)
    return or_(Order.email_claimed_at.is_(None), Order.email_claimed_at < stale)


def _due(now: datetime):
    return or_(Order.email_due_at.is_(None), Order.email_due_at <= now)


def claim(
    order_id: int,
    now: datetime,
    lease_seconds: float,
    max_attempts: int | None,
    respect_backoff: bool = True,
) -> int | None:
    """Claim the order's owed email; the attempt number, or None when another has it
    (or nothing is owed, or the attempts are spent). `max_attempts` None: a person
    asked (resend, retry button), so no cap. Flushes."""
    conditions = [Order.id == order_id, Order.email_status.in_(OWED), _free(now, lease_seconds)]
    if max_attempts is not None:
        conditions.append(Order.email_attempts < max_attempts)
    if respect_backoff:
        conditions.append(_due(now))
    won = db.session.execute(
        update(Order)
        .where(and_(*conditions))
        .values(email_claimed_at=now, email_attempts=Order.email_attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        return None
    return db.session.execute(select(Order.email_attempts).where(Order.id == order_id)).scalar_one()


def tickets_owed(order_id: int) -> tuple[Order, list[Ticket]] | None:
    """The order and its valid tickets (a reservation: its unpaid ones; a lapsed
    reservation: none, its email says it was released), or None (refunded or
    canceled while waiting: nothing is owed any more, recorded so). Flushes."""
    order = db.session.get(Order, order_id, populate_existing=True)
    if order.payment_reference and order.status == OrderStatus.EXPIRED:
        return order, []
    wanted = TicketStatus.UNPAID if order.status == OrderStatus.RESERVED else TicketStatus.VALID
    tickets = [t for t in order_tickets(order) if t.status == wanted]
    if order.status in OrderStatus.SOLD | {OrderStatus.RESERVED} and tickets:
        return order, tickets
    order.email_status, order.email_error = "none", "No valid tickets to send."
    order.email_claimed_at = order.email_due_at = None
    db.session.flush()
    return None


def _ours(order_id: int, attempt: int):
    """Still our claim: nobody took the send over after our lease (they would
    have counted another attempt)."""
    return and_(Order.id == order_id, Order.email_attempts == attempt)


def record_sent(order_id: int, attempt: int) -> None:
    db.session.execute(
        update(Order)
        .where(_ours(order_id, attempt))
        .values(email_status="sent", email_error="", email_claimed_at=None, email_due_at=None)
        .execution_options(synchronize_session=False)
    )


def record_failed(order_id: int, attempt: int, error: str, retry_at: datetime | None) -> None:
    """Failed; tried again from `retry_at` (None: only when a person asks)."""
    db.session.execute(
        update(Order)
        .where(_ours(order_id, attempt))
        .values(
            email_status="failed",
            email_error=error[:1000],
            email_claimed_at=None,
            email_due_at=retry_at,
        )
        .execution_options(synchronize_session=False)
    )


def ask_again(order: Order) -> None:
    """A person asked for the email (resend, reissue, retry): owed again, due now."""
    order.email_status, order.email_error, order.email_due_at = "pending", "", None
    db.session.flush()


def due_ids(
    now: datetime,
    lease_seconds: float,
    max_attempts: int,
    respect_backoff: bool = True,
    limit: int = 500,
) -> list[int]:
    """Paid orders (and reservations, open or released) whose email is owed, free
    and due (what the sweep enqueues)."""
    reservation = and_(
        Order.payment_reference.is_not(None),
        Order.status.in_((OrderStatus.RESERVED, OrderStatus.EXPIRED)),
    )
    query = select(Order.id).where(
        or_(Order.status.in_(OrderStatus.SOLD), reservation),
        Order.email_status.in_(OWED),
        Order.email_attempts < max_attempts,
        _free(now, lease_seconds),
    )
    if respect_backoff:
        query = query.where(_due(now))
    return list(db.session.execute(query.order_by(Order.id).limit(limit)).scalars())
