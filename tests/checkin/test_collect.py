"""Paying a reservation in cash at the door: the `unpaid` answer, then the collect.

A reserved order's ticket is refused `unpaid` with what to collect; the same
scan with `collect_minor` equal to the amount due records the cash for the
whole order (by that user and device), makes its tickets valid and lets this
one in. Any other amount is 422 and changes nothing.
"""

from sqlalchemy import select

from tests.support import factories
from tests.support.database import rows
from tests.support.door import fresh_nonce, scan, settle
from tests.support.reservations import codes, reserved_order
from ticketing.accounts.auth import principal_from_token
from ticketing.checkin.models import CheckIn
from ticketing.events.totals import event_totals
from ticketing.orders.models import Order
from ticketing.payments.models import LedgerEntry, ManualPayment
from ticketing.tickets.models import Ticket


def reservation(db, door, quantity=3, **fields):
    tier = factories.tier(door.event, name="Balcony", price_minor=25_000)
    order = reserved_order(door.event, [(tier, quantity)], buyer="Zeynep Kaya", **fields)
    order_codes = codes(order)
    settle(db)
    return order, order_codes


def reread(db, model, row_id):
    db.session.expire_all()
    row = db.session.get(model, row_id)
    db.session.commit()
    return row


def test_unpaid_refusal_says_what_to_collect_for_whom(client, door, db):
    before = event_totals(door.event)
    order, order_codes = reservation(db, door)
    after = event_totals(door.event)
    settle(db)
    # A reservation moves no money and sells nothing until its cash is in.
    for key in ("raised_minor", "manual_minor", "tickets_minor", "tickets_sold"):
        assert after[key] == before[key], key
    response = scan(client, door, order_codes[0])
    assert response.status_code == 409
    body = response.get_json()
    assert body["status"] == body["code"] == "unpaid"
    assert body["order_id"] == order.id
    assert body["amount_due_minor"] == 75_000
    assert body["currency"] == "USD"
    assert body["buyer_name"] == "Zeynep Kaya"
    assert body["tickets_in_order"] == 3
    assert body["ticket"]["holder_name"] == "Zeynep Kaya"
    assert rows(db, CheckIn) == 0


def test_collecting_the_amount_due_pays_the_order_and_lets_this_ticket_in(client, door, db):
    order, order_codes = reservation(db, door)
    before = event_totals(door.event)
    settle(db)
    response = scan(client, door, order_codes[1], collect_minor=75_000, gate="Main")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ok" and body["gate"] == "Main"
    assert body["ticket"]["code"] == order_codes[1]

    paid = reread(db, Order, order.id)
    assert (paid.status, paid.paid_minor, paid.amount_due_minor) == ("paid", 75_000, 0)
    statuses = db.session.execute(select(Ticket.status).filter_by(order_id=order.id)).scalars()
    assert set(statuses) == {"valid"}
    payment = db.session.execute(select(ManualPayment)).scalar_one()
    caller = principal_from_token(door.door_token)
    assert (payment.kind, payment.method, payment.amount_minor, payment.order_id) == (
        "reservation",
        "cash",
        75_000,
        order.id,
    )
    assert payment.recorded_by_id == caller.user_id
    assert payment.recorded_by_token_id == caller.token_id
    entry = db.session.execute(select(LedgerEntry).filter_by(manual_payment_id=payment.id))
    assert entry.scalar_one().amount_minor == 75_000
    after = event_totals(door.event)
    assert after["manual_minor"] - before["manual_minor"] == 75_000
    assert after["raised_minor"] - before["raised_minor"] == 75_000  # cash counts once, as manual
    assert after["tickets_minor"] == before["tickets_minor"]
    assert after["tickets_sold"] - before["tickets_sold"] == 3  # sold once paid, not before
    db.session.commit()
    assert rows(db, CheckIn) == 1

    # The other tickets of the order are now plain valid tickets.
    assert scan(client, door, order_codes[0]).get_json()["status"] == "ok"
    again = scan(client, door, order_codes[1])
    assert again.get_json()["status"] == "already_checked_in"


def test_any_other_amount_is_422_and_changes_nothing(client, door, db):
    order, order_codes = reservation(db, door)
    for amount in (74_999, 75_001, 25_000, 1):
        response = scan(client, door, order_codes[0], collect_minor=amount)
        assert response.status_code == 422, amount
        body = response.get_json()
        assert body["code"] == "validation_error"
        assert "collect_minor" in body["errors"]
    for bad in (0, -5, "75000", 750.0, True):
        assert scan(client, door, order_codes[0], collect_minor=bad).status_code == 422, bad
    assert reread(db, Order, order.id).status == "reserved"
    assert rows(db, ManualPayment) == 0
    assert rows(db, LedgerEntry) == 0
    assert rows(db, CheckIn) == 0


def test_collect_on_a_ticket_that_owes_nothing_is_refused_and_lets_nobody_in(client, door, db):
    response = scan(client, door, door.ticket.code, collect_minor=2_500)
    assert response.status_code == 422
    body = response.get_json()
    assert body["amount_due_minor"] == 0 and "collect_minor" in body["errors"]
    assert "hand the cash back" in body["message"]
    assert rows(db, CheckIn) == 0
    assert scan(client, door, door.ticket.code).status_code == 200
    response = scan(client, door, door.ticket.code, collect_minor=2_500)
    assert (response.status_code, response.get_json()["status"]) == (409, "already_checked_in")
    assert rows(db, ManualPayment) == 0


def test_a_lapsed_reservation_cannot_be_collected(client, door, db):
    from datetime import UTC, datetime, timedelta

    past = datetime.now(UTC) - timedelta(minutes=1)
    order, order_codes = reservation(db, door, quantity=1, deadline=past)
    plain = scan(client, door, order_codes[0]).get_json()
    assert plain["status"] == "unpaid" and "amount_due_minor" not in plain
    response = scan(client, door, order_codes[0], collect_minor=25_000)
    refused = response.get_json()
    assert (response.status_code, refused["status"]) == (409, "unpaid")
    assert "amount_due_minor" not in refused
    assert rows(db, ManualPayment) == 0 and rows(db, CheckIn) == 0


def test_organizer_token_collects_too_and_a_retry_with_the_nonce_pays_once(client, door, db):
    order, order_codes = reservation(db, door, quantity=2)
    body = {"collect_minor": 50_000, "nonce": fresh_nonce()}
    first = scan(client, door, order_codes[0], token=door.organizer_token, **body)
    retry = scan(client, door, order_codes[0], token=door.organizer_token, **body)
    assert first.status_code == retry.status_code == 200
    assert first.get_data() == retry.get_data()
    assert rows(db, ManualPayment) == 1
    payment = db.session.execute(select(ManualPayment)).scalar_one()
    assert payment.recorded_by_token_id == principal_from_token(door.organizer_token).token_id


def test_collect_for_another_events_ticket_is_wrong_event(client, door, db):
    tier = factories.tier(door.other_event, price_minor=1_000)
    order = reserved_order(door.other_event, [(tier, 1)])
    (code,) = codes(order)
    settle(db)
    response = scan(client, door, code, collect_minor=1_000, event_id=door.event.id)
    assert (response.status_code, response.get_json()["status"]) == (409, "wrong_event")
    assert "amount_due_minor" not in response.get_json()
    assert rows(db, ManualPayment) == 0
