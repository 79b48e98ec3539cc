"""Cash taken at the door for a reservation, before its ticket is scanned in.
Services only flush.

The door may collect exactly what the reservation owes (reservations
.receive_payment with exact=True: one payment for the whole order, under
the order's lock, recorded by the staff member and device), which makes all
of the order's tickets valid; the scan that follows then lets this one in.
"""

from sqlalchemy import select

from ticketing.accounts.auth import Principal
from ticketing.events.models import Event
from ticketing.extensions import db
from ticketing.orders import reservations
from ticketing.orders.models import Order, OrderStatus
from ticketing.tickets.codes import looks_like_code, normalize_code
from ticketing.tickets.models import Ticket


def reservation_of(event: Event, code: str) -> Order | None:
    """The open reservation the ticket with this code belongs to, if it is this event's."""
    code = normalize_code(code)
    if not looks_like_code(code):
        return None
    order = db.session.execute(
        select(Order)
        .join(Ticket, Ticket.order_id == Order.id)
        .where(Ticket.code == code, Ticket.event_id == event.id)
    ).scalar_one_or_none()
    if order is None or order.current_status != OrderStatus.RESERVED:
        return None
    return order


def collect_cash(principal: Principal, event: Event, code: str, amount_minor: int):
    """Record `amount_minor` in cash for the ticket's reservation (exactly what it owes).

    Nothing happens for a ticket that owes nothing (paid, or not a reservation):
    its scan decides. Raises ValidationFailed (another amount) or NotReserved.
    """
    if principal.event_id is not None and principal.event_id != event.id:
        return None
    order = reservation_of(event, code)
    if order is None:
        return None
    return reservations.receive_payment(
        order.id,
        amount_minor=amount_minor,
        method="cash",
        exact=True,
        recorded_by_id=principal.user_id,
        recorded_by_token_id=principal.token_id,
    )
