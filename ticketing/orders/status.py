"""An order's status after its money moved: refunds, a refund undone, a void.

With `mark_paid`, `release_hold` and `reclaim_seats` (orders/services.py)
these are the only writers of `Order.status`: payments and reports call
them with plain facts (an amount), and the ticket side follows here.
Services only flush.
"""

from datetime import datetime

from ticketing.database import utcnow
from ticketing.extensions import db
from ticketing.orders.claims import SeatsGone, flush_claim
from ticketing.orders.models import Order, OrderStatus
from ticketing.tickets.services import restore_revoked_tickets, revoke_tickets


def mark_refunded(order: Order, amount_minor: int) -> None:
    """`amount_minor` went back to the buyer: partly refunded, or refunded
    with its tickets revoked once the whole total is back."""
    order.refunded_minor += amount_minor
    if order.refunded_minor >= order.total_minor:
        order.status = OrderStatus.REFUNDED
        revoke_tickets(order)
    else:
        order.status = OrderStatus.PARTIALLY_REFUNDED
    db.session.flush()


def restore_after_failed_refund(order: Order, amount_minor: int) -> bool | None:
    """A refund that had succeeded failed after all: `amount_minor` is the order's again.

    Returns None when the order was not fully refunded (only its status
    follows the money); True when a fully refunded order got its seats and
    tickets back; False when those seats were sold meanwhile (it stays
    refunded, and someone must settle with the buyer).
    """
    order.refunded_minor -= amount_minor
    db.session.flush()
    status = OrderStatus.PARTIALLY_REFUNDED if order.refunded_minor else OrderStatus.PAID
    if order.status != OrderStatus.REFUNDED:
        order.status = status
        db.session.flush()
        return None
    try:
        with db.session.begin_nested():
            order.status = status
            flush_claim()
    except SeatsGone:
        return False
    restore_revoked_tickets(order)
    return True


def void_door_sale(order: Order, now: datetime | None = None) -> None:
    """The cash record of a door sale was a mistake: the order is canceled, its tickets revoked."""
    revoke_tickets(order)
    order.status, order.canceled_at = OrderStatus.CANCELED, now or utcnow()
    db.session.flush()
