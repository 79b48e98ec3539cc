"""POST /api/v1/orders/{id}/payments: cash or transfers received toward a reservation.

Partial payments add up, the order is paid once they cover it, more than is
due is 422 and an order that owes nothing is 409. The totals move only when
money is received: a reservation alone adds nothing to `manual_minor` or
`raised_minor`.
"""

import pytest
from sqlalchemy import func, select

from tests.support import factories
from tests.support.reservations import reserved_order
from ticketing.events.totals import event_totals
from ticketing.payments.models import LedgerEntry, ManualPayment

pytestmark = pytest.mark.rollback


@pytest.fixture
def world(db, org, concert):
    tier = concert.ticket_types[0]
    order = reserved_order(concert, [(tier, 3)], buyer="Olena Shevchenko", method="transfer")
    return {
        "event": concert,
        "order": order,
        "organizer": factories.token(org, "organizer"),
        "door": factories.token(org, "door"),
        "rival": factories.token(factories.organization(), "organizer"),
    }


def pay(client, world, caller="organizer", order_id=None, **body):
    return client.post(
        f"/api/v1/orders/{order_id or world['order'].id}/payments",
        json=body,
        headers={"Authorization": f"Bearer {world[caller]}"},
    )


def totals(event):
    numbers = event_totals(event)
    return numbers["manual_minor"], numbers["raised_minor"]


def test_partial_payments_add_up_until_the_order_is_paid(client, world):
    event, order = world["event"], world["order"]
    assert totals(event) == (0, 0)  # a reservation alone counts nothing
    response = pay(client, world, amount_minor=3000, method="transfer", reference="TR 123")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["amount_due_minor"], body["paid_minor"]) == (
        "reserved",
        4500,
        3000,
    )
    assert body["payment_reference"] == order.payment_reference
    assert body["reserved_until"] is not None
    assert {t["status"] for t in body["tickets"]} == {"unpaid"}
    assert totals(event) == (3000, 3000)

    response = pay(client, world, amount_minor=4500, method="cash")
    body = response.get_json()
    assert response.status_code == 200
    assert (body["status"], body["amount_due_minor"], body["paid_minor"]) == ("paid", 0, 7500)
    assert body["reserved_until"] is None
    assert {t["status"] for t in body["tickets"]} == {"valid"}
    assert totals(event) == (7500, 7500)

    payments = list(ManualPayment.query.order_by(ManualPayment.id))
    assert [(p.kind, p.method, p.amount_minor, p.reference) for p in payments] == [
        ("reservation", "bank_transfer", 3000, "TR 123"),
        ("reservation", "cash", 4500, ""),
    ]
    # The organizer reads the same order back.
    read = client.get(
        f"/api/v1/orders/{order.id}", headers={"Authorization": f"Bearer {world['organizer']}"}
    )
    assert read.get_json()["status"] == "paid"


def test_more_than_is_due_is_422_and_changes_nothing(client, world):
    response = pay(client, world, amount_minor=7501, method="transfer")
    assert response.status_code == 422
    assert "amount_minor" in response.get_json()["errors"]
    for body in (
        {"amount_minor": 0, "method": "cash"},
        {"amount_minor": 100, "method": "bank_transfer"},
        {"amount_minor": "100", "method": "cash"},
        {"method": "cash"},
        {"amount_minor": 100, "method": "cash", "note": "x"},
    ):
        assert pay(client, world, **body).status_code == 422, body
    assert world["order"].status == "reserved" and world["order"].paid_minor == 0
    assert ManualPayment.query.count() == 0
    assert totals(world["event"]) == (0, 0)


def test_an_order_that_owes_nothing_is_409(client, world, db):
    paid = factories.paid_order(world["event"], [(world["event"].ticket_types[0], 1)])
    response = pay(client, world, order_id=paid.id, amount_minor=100, method="cash")
    assert (response.status_code, response.get_json()["code"]) == (409, "not_reserved")
    assert pay(client, world, amount_minor=7500, method="cash").status_code == 200
    again = pay(client, world, amount_minor=1, method="cash")
    assert (again.status_code, again.get_json()["code"]) == (409, "not_reserved")
    count = db.session.execute(select(func.count()).select_from(LedgerEntry)).scalar_one()
    assert count == 1


def test_door_staff_and_strangers_cannot_record_payments(client, world):
    assert pay(client, world, caller="door", amount_minor=100, method="cash").status_code == 403
    assert pay(client, world, caller="rival", amount_minor=100, method="cash").status_code == 404
    anonymous = client.post(
        f"/api/v1/orders/{world['order'].id}/payments", json={"amount_minor": 1, "method": "cash"}
    )
    assert anonymous.status_code == 401
    assert ManualPayment.query.count() == 0
