"""Money received toward a reservation (cash at the door, a bank transfer).
Services only flush; the caller commits.

A reservation (`reserved` order) owes `amount_due_minor`. Each payment is a
manual payment of kind `reservation` with its ledger entry (so it counts in
`manual_minor` when received, never before) and adds to the order's
`paid_minor`. Once the payments cover the total the order is paid and its
`unpaid` tickets become valid. The order row is locked first, so twenty
scanners collecting the same reservation at once record one payment: the
first takes it, the others find it paid (409) or, with `exact`, a new
amount due that their amount no longer matches.
"""

from flask_babel import gettext
from sqlalchemy import update

from ticketing.database import utcnow
from ticketing.errors import Conflict, ValidationFailed
from ticketing.extensions import db
from ticketing.orders.models import Order, OrderStatus
from ticketing.orders.services import lock_order
from ticketing.payments import manual
from ticketing.payments.models import ManualPayment
from ticketing.tickets.models import Ticket, TicketStatus


class NotReserved(Conflict):
    """The order owes nothing (already paid, lapsed, canceled, or a card order)."""

    code = "not_reserved"


def receive_payment(
    order_id: int,
    *,
    amount_minor: int,
    method: str,
    reference: str = "",
    exact: bool = False,
    recorded_by_id: int | None = None,
    recorded_by_token_id: int | None = None,
) -> tuple[Order, ManualPayment]:
    """Record `amount_minor` received toward the reservation; pay it when covered.

    `exact` (the door's collect) accepts only the whole amount due. Partial
    payments (transfers) add up; more than is due is refused, so a typo
    never turns into money the order does not owe.
    """
    order = lock_order(order_id)
    if order is None or order.current_status != OrderStatus.RESERVED:
        raise NotReserved(gettext("This order has no open reservation to pay."))
    manual.check_amount(amount_minor)
    manual.check_method(method)
    due = order.amount_due_minor
    if exact and amount_minor != due:
        raise ValidationFailed(
            gettext("Collect exactly the amount due."), field="collect_minor", amount_due_minor=due
        )
    if amount_minor > due:
        raise ValidationFailed(
            gettext("That is more than the order owes."), field="amount_minor", amount_due_minor=due
        )
    payment = ManualPayment(
        event_id=order.event_id,
        order_id=order.id,
        kind="reservation",
        method=method,
        amount_minor=amount_minor,
        currency=order.currency,
        reference=reference,
        recorded_by_id=recorded_by_id,
        recorded_by_token_id=recorded_by_token_id,
    )
    db.session.add(payment)
    db.session.flush()
    manual.record_entry(payment)
    order.paid_minor += amount_minor
    if order.paid_minor >= order.total_minor:
        settle(order)
    db.session.flush()
    return order, payment


def settle(order: Order) -> None:
    """The reservation is paid: the order is `paid` and its tickets let their holders in."""
    order.status = OrderStatus.PAID
    order.paid_at = utcnow()
    order.expires_at = None
    db.session.execute(
        update(Ticket)
        .where(Ticket.order_id == order.id, Ticket.status == TicketStatus.UNPAID)
        .values(status=TicketStatus.VALID)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
