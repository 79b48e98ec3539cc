"""Selling tickets for cash on the scanner page: POST /api/v1/events/{id}/door-sales."""

from sqlalchemy import select

from tests.support import factories
from tests.support.database import rows
from tests.support.door import settle
from ticketing.accounts.auth import principal_from_token
from ticketing.checkin.models import CheckIn
from ticketing.events.totals import event_totals
from ticketing.orders.models import Order
from ticketing.payments.models import ManualPayment
from ticketing.tickets.models import Ticket


def sell(client, door, token=None, **body):
    return client.post(
        f"/api/v1/events/{door.event.id}/door-sales", json=body, headers=door.headers(token)
    )


def test_a_door_sale_issues_paid_tickets_records_the_cash_and_lets_them_in(client, door, db):
    tier = factories.tier(door.event, name="At the door", price_minor=30_000, capacity=10)
    settle(db)
    before = event_totals(door.event)
    settle(db)
    response = sell(client, door, ticket_type_id=tier.id, quantity=3, gate="Main")
    assert response.status_code == 201, response.get_json()
    sale = response.get_json()
    assert (sale["amount_minor"], sale["currency"], sale["quantity"]) == (90_000, "USD", 3)
    assert sale["tier"] == "At the door" and len(sale["codes"]) == 3

    order = db.session.get(Order, sale["order_id"])
    assert (order.status, order.source, order.total_minor) == ("paid", "door", 90_000)
    statuses = db.session.execute(select(Ticket.status).filter_by(order_id=order.id)).scalars()
    assert list(statuses) == ["valid"] * 3
    payment = db.session.execute(select(ManualPayment)).scalar_one()
    caller = principal_from_token(door.door_token)
    assert (payment.kind, payment.method, payment.amount_minor) == ("tickets", "cash", 90_000)
    assert (payment.recorded_by_id, payment.recorded_by_token_id) == (
        caller.user_id,
        caller.token_id,
    )
    gates = db.session.execute(select(CheckIn.gate).filter_by(event_id=door.event.id)).scalars()
    assert list(gates) == ["Main"] * 3
    after = event_totals(door.event)
    assert after["manual_minor"] - before["manual_minor"] == 90_000
    assert after["tickets_checked_in"] - before["tickets_checked_in"] == 3
    db.session.commit()
    # The sold codes are in: scanning one again says so.
    again = client.post("/api/v1/checkins", json={"code": sale["codes"][0]}, headers=door.headers())
    assert again.get_json()["status"] == "already_checked_in"


def test_more_than_is_left_is_sold_out_and_changes_nothing(client, door, db):
    tier = factories.tier(door.event, name="Last seats", price_minor=1_000, capacity=2)
    settle(db)
    response = sell(client, door, ticket_type_id=tier.id, quantity=3)
    assert response.status_code == 409
    assert response.get_json()["code"] == "sold_out"
    assert rows(db, ManualPayment) == 0
    assert rows(db, Order, source="door") == 0
    assert sell(client, door, ticket_type_id=tier.id, quantity=2).status_code == 201
    assert sell(client, door, ticket_type_id=tier.id, quantity=1).status_code == 409


def test_door_staff_cannot_name_their_own_price_or_another_events_tier(client, door, db):
    other_tier = factories.tier(door.other_event, price_minor=1_000)
    settle(db)
    typed = sell(client, door, ticket_type_id=door.tier.id, quantity=1, amount_minor=1)
    assert typed.status_code == 422 and "amount_minor" in typed.get_json()["errors"]
    foreign = sell(client, door, ticket_type_id=other_tier.id, quantity=1)
    assert foreign.status_code == 422 and "ticket_type_id" in foreign.get_json()["errors"]
    for quantity in (0, 21, "2", None):
        assert sell(client, door, ticket_type_id=door.tier.id, quantity=quantity).status_code == 422
    assert rows(db, ManualPayment) == 0


def test_a_device_link_of_another_event_cannot_sell_here(client, door, db):
    device = factories.token(door.org, "door", event_id=door.other_event.id)
    settle(db)
    response = sell(client, door, token=device, ticket_type_id=door.tier.id, quantity=1)
    assert response.status_code == 404
    assert rows(db, ManualPayment) == 0


def test_a_sale_sent_again_with_its_nonce_sells_once(client, door, db):
    """A phone that lost the answer taps again with the same nonce: one sale, one cash record."""
    tier = factories.tier(door.event, name="Late", price_minor=20_000, capacity=10)
    settle(db)
    first = sell(client, door, ticket_type_id=tier.id, quantity=2, nonce="sale-7f3a")
    again = sell(client, door, ticket_type_id=tier.id, quantity=2, nonce="sale-7f3a")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert rows(db, ManualPayment) == 1
    assert rows(db, Ticket, order_id=first.get_json()["order_id"]) == 2
    assert rows(db, Order, source="door") == 1
    # Another nonce is another sale.
    other = sell(client, door, ticket_type_id=tier.id, quantity=1, nonce="sale-9c21")
    assert other.status_code == 201 and other.get_json()["order_id"] != first.get_json()["order_id"]
    assert rows(db, ManualPayment) == 2
