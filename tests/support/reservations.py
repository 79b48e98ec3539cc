"""Reserved orders ("pay at the door" or by transfer) for the door and cash tests.

Built directly, the way create_order(payment_method door/transfer) leaves
them (tests/orders/test_reservations.py covers that path): status
`reserved`, a payment reference, a deadline (far ahead by default, so no
test races it; a test of lapsing passes one in the past, which the API
would refuse), its lines, and `unpaid` tickets.
"""

import itertools
from datetime import UTC, datetime, timedelta

from ticketing.accounts.tokens import hash_secret, new_secret
from ticketing.extensions import db
from ticketing.orders.models import Order, OrderLine
from ticketing.tickets.models import Ticket, TicketStatus
from ticketing.tickets.services import issue_tickets

_references = itertools.count(1)


def reserved_order(
    event,
    tiers_quantities: list[tuple],
    buyer: str = "Ada Reserved",
    *,
    method: str = "door",
    reference: str | None = None,
    deadline: datetime | None = None,
) -> Order:
    """A reservation owing its tickets' price, with `unpaid` tickets (flushed, not committed)."""
    order = Order(
        event_id=event.id,
        buyer_name=buyer,
        buyer_email="reserved@example.test",
        status="reserved",
        payment_method=method,
        payment_reference=reference or f"R-{next(_references):05d}-{new_secret('r')[-4:]}"[:20],
        currency=event.currency,
        access_token_hash=hash_secret(new_secret("ord")),
        expires_at=deadline or datetime.now(UTC) + timedelta(days=2),
    )
    for tier, quantity in tiers_quantities:
        order.lines.append(
            OrderLine(ticket_type_id=tier.id, quantity=quantity, unit_price_minor=tier.price_minor)
        )
    order.tickets_minor = sum(tier.price_minor * q for tier, q in tiers_quantities)
    order.total_minor = order.tickets_minor
    db.session.add(order)
    db.session.flush()
    for ticket in issue_tickets(order):
        ticket.status = TicketStatus.UNPAID
    db.session.flush()
    return order


def codes(order: Order) -> list[str]:
    return [
        code
        for (code,) in db.session.query(Ticket.code)
        .filter_by(order_id=order.id)
        .order_by(Ticket.id)
    ]
