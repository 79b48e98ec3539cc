"""Reservations: seats held to be paid at the door or by bank transfer, and
the money received toward them. Services only flush; the caller commits.

A reservation is made by `create_order` with a `Reservation` plan: the
order is `reserved` until the event's reservation deadline, carries a
short reference for the door and the bank, and its tickets are `unpaid`.
The event's `unpaid_seats_cap` is decided under a lock on the event's row
(taken before the tiers', like every claim: no circle), so the seats held
by open reservations never pass it however many buyers reserve at once;
the tiers' own claim still decides whether the seats exist.

A reservation (`reserved` order) owes `amount_due_minor`. Each payment is a
manual payment of kind `reservation` with its ledger entry (so it counts in
`manual_minor` when received, never before) and adds to the order's
`paid_minor`. Once the payments cover the total the order is paid and its
`unpaid` tickets become valid. The order row is locked first, so twenty
scanners collecting the same reservation at once record one payment: the
first takes it, the others find it paid (409) or, with `exact`, a new
amount due that their amount no longer matches.
"""

import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select, update

from ticketing.database import utcnow
from ticketing.errors import Conflict, ValidationFailed
from ticketing.events.models import Event
from ticketing.events.totals import event_totals
from ticketing.extensions import db
from ticketing.orders import claims
from ticketing.orders.models import Order, OrderLine, OrderStatus
from ticketing.orders.services import lock_order
from ticketing.payments import manual
from ticketing.payments.models import ManualPayment
from ticketing.tickets.models import Ticket, TicketStatus
from ticketing.tickets.services import issue_tickets

RESERVING = ("door", "transfer")
# Read out at a door or typed into a bank form: no 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTWXY34679"


class ReservationsFull(Conflict):
    """Open unpaid reservations already hold as many seats as the event allows."""

    code = "reservations_full"


class ReservationsClosed(Conflict):
    """The event's reservation deadline has passed."""

    code = "reservations_closed"


def new_reference() -> str:
    """R-7KQ4-9MXD: 8 characters of 23 (about 7.8e10 values); unique by index."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"R-{chars[:4]}-{chars[4:]}"


def allowed_methods(event) -> list[str]:
    return list(getattr(event, "payment_methods", None) or ["card"])


def check_method(event, method: str) -> None:
    """422 when the event does not take this way to pay."""
    if method not in allowed_methods(event):
        raise ValidationFailed(
            gettext("This event does not take this way to pay."),
            field="payment_method",
            allowed=allowed_methods(event),
        )


def deadline_of(event) -> datetime:
    return event.reservations_until or event.starts_at


@dataclass(frozen=True)
class Reservation:
    """How `create_order` makes a reservation instead of a card hold."""

    event_id: int
    method: str
    deadline: datetime
    cap: int | None

    def order_values(self) -> dict:
        return {
            "status": OrderStatus.RESERVED.value,
            "payment_method": self.method,
            "payment_reference": new_reference(),
            "expires_at": self.deadline,
            "checkout_key": None,
        }

    def before_claim(self, wanted: dict[int, int]) -> None:
        """Under the event's lock: would these seats pass the unpaid cap?"""
        if self.cap is None:
            return
        query = select(Event.id).where(Event.id == self.event_id)
        if db.session.get_bind().dialect.name == "postgresql":
            # Not FOR UPDATE: orders' foreign keys (FOR KEY SHARE) are not blocked.
            query = query.with_for_update(key_share=True)
        db.session.execute(query)
        if unpaid_seats(self.event_id) + sum(wanted.values()) > self.cap:
            raise ReservationsFull(
                gettext(
                    "No more seats can be reserved without paying for this event. "
                    "Pay by card, or try again later."
                ),
                field="payment_method",
            )

    def after_claim(self, order_id: int) -> None:
        """Its tickets, unpaid, and the email with them (the outbox sends it)."""
        order = db.session.get(Order, order_id)
        issue_tickets(order, status=TicketStatus.UNPAID)
        if order.buyer_email:
            order.email_status = "pending"
        db.session.flush()


def plan_for(event, method: str, now: datetime | None = None) -> Reservation | None:
    """The reservation to make for `method` (None: a card order), checked."""
    check_method(event, method)
    if method not in RESERVING:
        return None
    deadline = deadline_of(event)
    if deadline <= (now or utcnow()):
        raise ReservationsClosed(
            gettext("Reservations for this event have closed. Pay by card, if offered."),
            field="payment_method",
        )
    return Reservation(event.id, method, deadline, event.unpaid_seats_cap)


def reserve_instead(order_id: int, method: str) -> Order:
    """A card checkout the buyer left (canceled, or lapsed) becomes a reservation
    of the same seats and donation, to pay at the door or by transfer: the same
    order, link and token, its seats claimed again under the cap."""
    order = lock_order(order_id)
    if (
        order is None
        or order.status not in (OrderStatus.CANCELED, OrderStatus.EXPIRED)
        or order.payment_method != "card"
        or order.paid_at is not None
        or not order.event.published
    ):
        raise Conflict(gettext("This order cannot be reserved instead."), field="order")
    plan = plan_for(order.event, method)
    if plan is None:
        raise ValidationFailed(
            gettext("Choose a way to pay without a card."), field="payment_method"
        )
    wanted = {line.ticket_type_id: line.quantity for line in order.lines}
    plan.before_claim(wanted)
    try:
        with db.session.begin_nested():
            for name, value in plan.order_values().items():
                setattr(order, name, value)
            order.canceled_at = None
            claims.flush_claim()
    except claims.SeatsGone:
        raise claims.sold_out(wanted) from None
    plan.after_claim(order.id)
    return order


def placed(answer, order_id: int):
    """The buyer's answer for a new reservation (after its commit)."""
    order = db.session.get(Order, order_id)
    return replace(
        answer,
        reserved_until=order.expires_at,
        amount_due_minor=order.amount_due_minor,
        payment_reference=order.payment_reference,
        payment_method=order.payment_method,
    )


def owed_minor(event_id: int, now: datetime | None = None) -> int:
    """What the event's open reservations still owe (lapsed ones owe nothing)."""
    query = select(func.coalesce(func.sum(Order.total_minor - Order.paid_minor), 0)).where(
        Order.event_id == event_id,
        Order.status == OrderStatus.RESERVED,
        Order.expires_at > (now or utcnow()),
    )
    return db.session.execute(query).scalar_one()


def totals_with_reservations(event) -> dict:
    """API.md's totals: the ledger's, and apart from them what reservations owe."""
    return {**event_totals(event), "reserved_unpaid_minor": owed_minor(event.id)}


def unpaid_seats(event_id: int, now: datetime | None = None) -> int:
    """Seats held by the event's open reservations (lapsed ones no longer count)."""
    query = (
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.event_id == event_id,
            Order.status == OrderStatus.RESERVED,
            Order.expires_at > (now or utcnow()),
        )
    )
    return db.session.execute(query).scalar_one()


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


def settle(order: Order, by_card: bool = False) -> None:
    """The reservation is paid: the order is `paid` and its tickets let their holders in.
    Paid by card, the buyer gets the tickets again, now valid (the outbox sends them)."""
    if by_card and order.buyer_email:
        order.email_status, order.email_error, order.email_due_at = "pending", "", None
    order.status = OrderStatus.PAID
    order.paid_at = utcnow()
    order.expires_at = None
    # The payment reminder is done with; the day-before reminder may still come.
    order.reminder_sent_at = order.reminder_claimed_at = None
    db.session.execute(
        update(Ticket)
        .where(Ticket.order_id == order.id, Ticket.status == TicketStatus.UNPAID)
        .values(status=TicketStatus.VALID)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
