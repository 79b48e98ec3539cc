"""100 buyers reserve at once over HTTP: the unpaid cap and the seats both hold."""

from collections import Counter

import requests
from sqlalchemy import func, select

from tests.support import factories as f
from tests.support.orders import order_all_at_once
from ticketing.orders.models import Order, OrderLine
from ticketing.tickets.models import Ticket

BUYERS = 100
SEATS = 30
CAP = 12


def race(shop, event_id: int, tier_id: int, card_every: int) -> list[requests.Response]:
    """BUYERS buyers of one or two seats, one in `card_every` by card, released at once."""
    bodies = [
        {
            "buyer_name": f"Buyer {n}",
            "buyer_email": f"r{n}@example.test",
            "items": [{"ticket_type_id": tier_id, "quantity": 1 + n % 2}],
            "payment_method": "card" if n % card_every == 0 else "door",
        }
        for n in range(BUYERS)
    ]
    return order_all_at_once(shop, event_id, bodies)


def test_concurrent_reservations_never_pass_the_cap_nor_the_seats(shop, db, org):
    event = f.event(org, payment_methods=["card", "door"], unpaid_seats_cap=CAP)
    tier = f.tier(event, capacity=SEATS, price_minor=1000, max_per_order=2)
    db.session.commit()
    answers = race(shop, event.id, tier.id, card_every=5)
    codes = Counter(
        (a.status_code, a.json().get("status") or a.json().get("code")) for a in answers
    )
    assert not [a for a in answers if a.status_code >= 500], codes
    db.session.commit()
    reserved_seats = db.session.execute(
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order)
        .where(Order.status == "reserved")
    ).scalar()
    claimed_seats = db.session.execute(
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order)
        .where(Order.status.in_(("reserved", "pending")))
    ).scalar()
    assert reserved_seats <= CAP, codes
    assert reserved_seats >= CAP - 1, codes  # the cap is reached, not stopped short
    assert claimed_seats <= SEATS, codes
    assert codes[(409, "reservations_full")] > 0, codes
    unpaid = db.session.execute(
        select(func.count()).select_from(Ticket).where(Ticket.status == "unpaid")
    ).scalar()
    assert unpaid == reserved_seats
    db.session.refresh(tier)
    assert tier.seats_claimed == claimed_seats
