"""GETs do not write: reading an order shows a lapsed hold as expired without changing it."""

from datetime import timedelta

from tests.support import factories as f
from ticketing.database import utcnow
from ticketing.orders.models import Order
from ticketing.orders.services import ItemRequest, create_order


def _lapsed_hold(db):
    event = f.event(f.organization())
    tier = f.tier(event, capacity=2)
    db.session.commit()
    hold = create_order(
        event,
        buyer_name="Ada",
        buyer_email="ada@example.test",
        items=[ItemRequest(tier.id, 1)],
        donation_minor=0,
    )
    order = db.session.get(Order, hold.id)
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return order.id, hold.token


def test_order_api_shows_a_lapsed_hold_as_expired_and_leaves_it(client, db):
    order_id, token = _lapsed_hold(db)
    response = client.get(f"/api/v1/orders/{order_id}", headers={"X-Order-Token": token})
    assert response.status_code == 200, response.text
    body = response.get_json()
    assert body["status"] == "expired" and body["id"] == order_id
    assert [line["quantity"] for line in body["lines"]] == [1] and body["tickets"] == []
    db.session.rollback()
    # The read changed nothing: the sweep or the next claim marks it.
    assert db.session.get(Order, order_id).status == "pending"


def test_order_api_shows_a_live_hold_as_pending(client, db):
    order_id, token = _lapsed_hold(db)
    db.session.get(Order, order_id).expires_at = utcnow() + timedelta(minutes=40)
    db.session.commit()
    body = client.get(f"/api/v1/orders/{order_id}", headers={"X-Order-Token": token}).get_json()
    assert body["status"] == "pending"
