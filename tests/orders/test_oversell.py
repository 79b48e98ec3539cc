"""Nothing is ever oversold: many buyers race for the last seats over HTTP."""

from collections import Counter

import requests
from sqlalchemy import func, select

from tests.support import factories as f
from tests.support.orders import count, order_all_at_once
from ticketing.orders.models import Order
from ticketing.tickets.models import Ticket

BUYERS = 100
SEATS = 20


def race(shop, event_id: int, tier_id: int) -> list[requests.Response]:
    """BUYERS buyers of one seat each, released at once."""
    bodies = [
        {
            "buyer_name": f"Buyer {n}",
            "buyer_email": f"b{n}@example.test",
            "items": [{"ticket_type_id": tier_id, "quantity": 1}],
        }
        for n in range(BUYERS)
    ]
    return order_all_at_once(shop, event_id, bodies)


def test_concurrent_buyers_never_get_more_seats_than_exist(shop, db, org):
    event = f.event(org)
    tier = f.tier(event, capacity=SEATS, price_minor=1000)
    db.session.commit()
    answers = race(shop, event.id, tier.id)
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {201: SEATS, 409: BUYERS - SEATS}, statuses
    refusals = [a.json() for a in answers if a.status_code == 409]
    assert {r["code"] for r in refusals} == {"sold_out"}
    assert all(r["available"] == {str(tier.id): 0} for r in refusals[-5:])
    held = db.session.execute(
        select(func.count()).select_from(Order).where(Order.status == "pending")
    ).scalar()
    assert held == SEATS

    for created in (a.json() for a in answers if a.status_code == 201):
        assert shop.pay(created).json()["outcome"] == "paid"
    assert count(db, Order, Order.status == "paid") == SEATS
    assert count(db, Ticket) == SEATS
    again = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 1}])
    assert again.status_code == 409
