"""Holds and reservations whose time has passed give their seats back. Flushes only.

A pending hold lapses at `expires_at` (its checkout's time); a reservation
at its deadline (the event's `reservation_deadline`). Either is marked
expired here, by `flask expire-holds`, the worker's sweep, or a claim that
finds its tiers short; until then a read already shows it expired
(`Order.current_status`). A released reservation's unpaid tickets are
revoked, and its buyer is owed an email saying so: the order's own outbox
(`email_status` pending) carries it, like the ticket email.
"""

from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.util import identity_key

from ticketing.database import utcnow
from ticketing.extensions import db
from ticketing.orders.models import Order, OrderLine, OrderStatus
from ticketing.tickets.models import Ticket, TicketStatus


def _on_tiers(statement, tier_ids):
    if tier_ids is None:
        return statement
    on_tiers = select(OrderLine.order_id).where(OrderLine.ticket_type_id.in_(tier_ids))
    return statement.where(Order.id.in_(on_tiers.scalar_subquery()))


# Is anything on these tiers past its time? One indexed read (status,
# expires_at), where the release itself is two UPDATEs built and run per call:
# a claim that finds its tiers short asks this first, so "sold out" stays cheap
# when nothing has lapsed (a third of its CPU, measured with the flash sale's
# sold-out answers).
LAPSED_ON_TIERS = (
    select(Order.id)
    .where(
        Order.status.in_((OrderStatus.PENDING, OrderStatus.RESERVED)),
        Order.expires_at <= bindparam("now"),
        Order.id.in_(
            select(OrderLine.order_id)
            .where(OrderLine.ticket_type_id.in_(bindparam("tier_ids", expanding=True)))
            .scalar_subquery()
        ),
    )
    .limit(1)
)


def expire_holds(now: datetime | None = None, tier_ids=None) -> int:
    """Mark pending orders whose hold has passed as expired (only those on
    `tier_ids` when given), and release lapsed reservations; returns how many.
    Their seats go back to the tiers."""
    now = now or utcnow()
    if tier_ids is not None and not _any_lapsed(now, tier_ids):
        return 0
    released = release_lapsed_reservations(now, tier_ids)
    lapsed = update(Order).where(Order.status == OrderStatus.PENDING, Order.expires_at <= now)
    result = db.session.execute(
        _on_tiers(lapsed, tier_ids)
        .values(status=OrderStatus.EXPIRED)
        .execution_options(synchronize_session="fetch")
    )
    return (result.rowcount or 0) + released


def _any_lapsed(now: datetime, tier_ids) -> bool:
    params = {"now": now, "tier_ids": list(tier_ids)}
    return db.session.execute(LAPSED_ON_TIERS, params).first() is not None


def release_lapsed_reservations(now: datetime, tier_ids=None) -> int:
    """Reservations past their deadline: expired, their tickets revoked, the
    buyer's "released" email owed. A reservation paid meanwhile no longer
    matches (the conditional UPDATE decides); returns how many."""
    lapsed = update(Order).where(Order.status == OrderStatus.RESERVED, Order.expires_at <= now)
    released = list(
        db.session.execute(
            _on_tiers(lapsed, tier_ids)
            .values(
                status=OrderStatus.EXPIRED,
                email_status="pending",
                email_attempts=0,
                email_error="",
                email_due_at=None,
                email_claimed_at=None,
            )
            .returning(Order.id)
            .execution_options(synchronize_session=False)
        ).scalars()
    )
    if not released:
        return 0
    db.session.execute(
        update(Ticket)
        .where(Ticket.order_id.in_(released), Ticket.status == TicketStatus.UNPAID)
        .values(status=TicketStatus.REVOKED, revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    # Objects of this session read before the UPDATE learn the news on next access.
    for order_id in released:
        order = db.session.identity_map.get(identity_key(Order, order_id))
        if order is not None:
            db.session.expire(order)
    return len(released)
