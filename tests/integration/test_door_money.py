"""A door token reaches no money but the amount a reservation owes, and cannot bend it.

The scan of an unpaid reservation tells the door what to collect; the door
may collect exactly that and sell tiers at their price. It may not collect
another amount, name a price, record a payment toward an order, nor read
totals, manual payments or the dashboard.
"""

import pytest
from sqlalchemy import func, select

from tests.support.reservations import codes, reserved_order
from tests.support.world import build_world
from ticketing.checkin.models import CheckIn
from ticketing.payments.models import CashBoxClosing, LedgerEntry, ManualPayment

pytestmark = pytest.mark.rollback


def money_rows(db) -> tuple:
    return tuple(
        db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (ManualPayment, LedgerEntry, CashBoxClosing, CheckIn)
    )


@pytest.mark.parametrize("token_name", ["door_token", "device_token"])
def test_a_door_token_collects_exactly_what_is_due_and_nothing_else(client, db, token_name):
    world = build_world(db)
    order = reserved_order(world.event, [(world.tier, 2)], buyer="Reserved Guest")
    code = codes(order)[0]
    db.session.commit()
    door = {"Authorization": f"Bearer {getattr(world, token_name)}"}
    before = money_rows(db)
    event = f"/api/v1/events/{world.event.id}"

    refusal = client.post("/api/v1/checkins", json={"code": code}, headers=door).get_json()
    assert refusal["amount_due_minor"] == 5000
    assert "buyer_email" not in refusal and "total_minor" not in refusal

    attempts = [
        ("POST", "/api/v1/checkins", {"code": code, "collect_minor": 4999}, 422),
        ("POST", "/api/v1/checkins", {"code": code, "collect_minor": 50_000}, 422),
        ("POST", f"/api/v1/orders/{order.id}/payments", {"amount_minor": 1, "method": "cash"}, 403),
        ("POST", event + "/door-sales",
         {"ticket_type_id": world.tier.id, "quantity": 1, "amount_minor": 1}, 422),
        ("POST", event + "/manual-payments", {"kind": "donation", "method": "cash",
                                              "amount_minor": 1}, 403),
        ("GET", event + "/totals", None, 403),
        ("GET", event + "/manual-payments", None, 403),
        ("GET", f"/api/v1/orders/{order.id}", None, 404),
    ]  # fmt: skip
    for method, path, body, expected in attempts:
        response = client.open(path, method=method, json=body, headers=door)
        assert response.status_code == expected, (path, body, response.get_json())
    assert money_rows(db) == before

    paid = client.post("/api/v1/checkins", json={"code": code, "collect_minor": 5000}, headers=door)
    assert paid.status_code == 200
    assert money_rows(db)[0] == before[0] + 1
