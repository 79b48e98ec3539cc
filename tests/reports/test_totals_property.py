"""Property: whatever sequence of cash donations, door sales, voids,
reservations (paid at the door, or left to lapse) happens, the totals equal
what was recorded by hand, to the minor unit, and what open reservations
still owe is shown apart, never in what was raised.

(The card side of this property, against the Stripe stand-in, belongs with selling.)
"""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import factories
from tests.support.web import bearer
from ticketing.database import utcnow
from ticketing.extensions import db as _db
from ticketing.orders.models import Order
from ticketing.orders.reservations import receive_payment

donation = st.tuples(st.just("donation"), st.integers(1, 500_000))
door_sale = st.tuples(
    st.just("door"), st.integers(1, 4), st.one_of(st.none(), st.integers(1, 90_000))
)
void = st.tuples(st.just("void"), st.integers(0, 50))
reserve = st.tuples(st.just("reserve"), st.integers(1, 3))
collect = st.tuples(st.just("collect"), st.integers(0, 50))
lapse = st.tuples(st.just("lapse"), st.integers(0, 50))
steps = st.lists(
    st.one_of(donation, door_sale, void, reserve, collect, lapse), min_size=1, max_size=14
)
RESERVED_PRICE = 2000


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_totals_equal_what_was_recorded_by_hand(client, shop, db, steps):
    # A fresh event per example: totals are per event, so examples never mix.
    event = factories.event(
        shop.org, currency="EUR", goal_minor=250_000, payment_methods=["card", "door"]
    )
    tier = factories.tier(event, price_minor=1500, capacity=10)
    reserved_tier = factories.tier(event, price_minor=RESERVED_PRICE, capacity=6)
    db.session.commit()
    headers = bearer(shop.organizer_token)
    live = {}  # payment id -> (amount, tickets)
    seats = 0
    open_reservations = {}  # order id -> (owed, seats)
    reserved_seats = collected = collected_seats = 0

    for step in steps:
        if step[0] == "reserve":
            body = {"buyer_name": "R", "buyer_email": f"r{len(open_reservations)}@example.test",
                    "items": [{"ticket_type_id": reserved_tier.id, "quantity": step[1]}],
                    "payment_method": "door"}  # fmt: skip
            response = client.post(f"/api/v1/events/{event.id}/orders", json=body)
            if reserved_seats + step[1] > reserved_tier.capacity:
                assert response.status_code == 409
                continue
            assert response.status_code == 201, response.get_json()
            created = response.get_json()
            assert created["amount_due_minor"] == RESERVED_PRICE * step[1]
            open_reservations[created["id"]] = (created["amount_due_minor"], step[1])
            reserved_seats += step[1]
            continue
        if step[0] in ("collect", "lapse"):
            if not open_reservations:
                continue
            target = sorted(open_reservations)[step[1] % len(open_reservations)]
            owed, count = open_reservations.pop(target)
            if step[0] == "collect":
                receive_payment(target, amount_minor=owed, method="cash", exact=True)
                collected += owed
                collected_seats += count
            else:  # its deadline passed: it owes nothing and holds no seat
                _db.session.get(Order, target).expires_at = utcnow() - timedelta(seconds=1)
                reserved_seats -= count
            _db.session.commit()
            continue
        if step[0] == "donation":
            body = {"kind": "donation", "method": "cash", "amount_minor": step[1]}
        elif step[0] == "door":
            body = {"kind": "tickets", "method": "cash", "ticket_type_id": tier.id,
                    "quantity": step[1]}  # fmt: skip
            if step[2] is not None:
                body["amount_minor"] = step[2]
        else:
            if not live:
                continue
            target = sorted(live)[step[1] % len(live)]
            response = client.post(f"/api/v1/manual-payments/{target}/void", json={"reason": "x"},
                                   headers=headers)  # fmt: skip
            assert response.status_code == 200
            seats -= live.pop(target)[1]
            continue
        response = client.post(f"/api/v1/events/{event.id}/manual-payments", json=body,
                               headers=headers)  # fmt: skip
        if step[0] == "door" and seats + step[1] > tier.capacity:
            assert response.status_code == 409
            continue
        assert response.status_code == 201, response.get_json()
        created = response.get_json()
        quantity = step[1] if step[0] == "door" else 0
        expected_amount = step[1] if step[0] == "donation" else (step[2] or 1500 * step[1])
        assert created["amount_minor"] == expected_amount
        live[created["id"]] = (expected_amount, quantity)
        seats += quantity

    totals = client.get(f"/api/v1/events/{event.id}/totals", headers=headers).get_json()
    by_hand = sum(amount for amount, _ in live.values()) + collected
    assert totals["manual_minor"] == by_hand
    assert totals["raised_minor"] == by_hand
    assert totals["net_minor"] == by_hand
    assert totals["tickets_minor"] == totals["donations_minor"] == totals["refunds_minor"] == 0
    assert totals["reserved_unpaid_minor"] == sum(owed for owed, _ in open_reservations.values())
    assert totals["tickets_sold"] == seats + collected_seats
    assert totals["goal_progress"] == by_hand * 10_000 // 250_000 / 10_000  # rounded down
