"""Paying without a card, the buyer's side (API.md): a reservation holds seats
until its deadline, owes its total and carries a reference; its tickets are
unpaid; at the deadline it is released and the buyer told so."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support import factories as f
from ticketing.database import utcnow
from ticketing.extensions import db as _db
from ticketing.orders.models import Order
from ticketing.orders.reservations import REFERENCE_ALPHABET, new_reference
from ticketing.tasks.jobs import send_pending_emails
from ticketing.tickets.models import Ticket

REFERENCE = re.compile(rf"^R-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}$")


@pytest.fixture
def hall(db, org):
    """A cash-friendly concert: card, door and transfer; 10 seats at 750.00 TRY."""
    event = f.event(
        org,
        currency="TRY",
        payment_methods=["card", "door", "transfer"],
        transfer_instructions="IBAN TR00 0000 0000 0000, Umut Derneği",
    )
    f.tier(event, name="Standard", price_minor=75000, capacity=10)
    db.session.commit()
    return event


def order_body(event, quantity=2, method="door", **extra):
    tier = event.ticket_types[0]
    return {
        "buyer_name": "Ada Buyer",
        "buyer_email": extra.pop("email", "ada@example.test"),
        "items": [{"ticket_type_id": tier.id, "quantity": quantity}],
        "payment_method": method,
        **extra,
    }


def reserve(client, event, **kwargs):
    return client.post(f"/api/v1/events/{event.id}/orders", json=order_body(event, **kwargs))


def read(client, created):
    headers = {"X-Order-Token": created["access_token"]}
    return client.get(f"/api/v1/orders/{created['id']}", headers=headers).get_json()


def test_reserving_to_pay_at_the_door_holds_seats_and_owes_the_total(client, db, hall):
    answer = reserve(client, hall)
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["status"] == "reserved" and body["checkout_url"] is None
    assert body["amount_due_minor"] == 150000 and body["total_minor"] == 150000
    assert REFERENCE.match(body["payment_reference"]), body["payment_reference"]
    assert body["reserved_until"].startswith(hall.starts_at.strftime("%Y-%m-%dT%H:%M"))
    order = read(client, body)
    assert order["status"] == "reserved" and order["amount_due_minor"] == 150000
    assert order["payment_reference"] == body["payment_reference"]
    assert order["reserved_until"] == body["reserved_until"]
    assert [t["status"] for t in order["tickets"]] == ["unpaid", "unpaid"]
    assert all(t["qr_svg_url"].endswith("/qr.svg") for t in order["tickets"])
    _db.session.expire_all()
    assert hall.ticket_types[0].seats_claimed == 2


def test_a_transfer_reservation_and_the_email_that_says_how_to_pay(client, db, hall, smtp_server):
    body = reserve(client, hall, method="transfer", locale="tr").get_json()
    assert body["status"] == "reserved"
    ((_rcpt, message),) = smtp_server.messages
    text = message.get_body(("plain",)).get_content()
    assert body["payment_reference"] in text
    assert "IBAN TR00 0000 0000 0000" in text
    assert "1.500,00" in text  # the amount due, written the Turkish way
    assert message["Content-Language"] in (None, "tr")


def test_a_way_the_event_does_not_take_is_refused(client, db, org):
    event = f.event(org, payment_methods=["card"])
    f.tier(event, price_minor=1000, capacity=5)
    db.session.commit()
    answer = reserve(client, event, method="door")
    assert answer.status_code == 422
    assert "payment_method" in answer.get_json()["errors"]
    bogus = reserve(client, event, method="cheque")
    assert bogus.status_code == 422
    door_only = f.event(org, currency="RUB", payment_methods=["door"])
    f.tier(door_only, price_minor=100000, capacity=5)
    db.session.commit()
    card = reserve(client, door_only, method="card")
    assert card.status_code == 422 and "payment_method" in card.get_json()["errors"]
    assert reserve(client, door_only).status_code == 201  # RUB in cash is fine


def test_no_reservation_after_the_deadline(client, db, hall):
    hall.reservations_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    answer = reserve(client, hall)
    assert answer.status_code == 409
    assert answer.get_json()["code"] == "reservations_closed"


def test_a_free_order_stays_as_it_was(client, db, org):
    event = f.event(org, payment_methods=["card", "door"])
    f.tier(event, price_minor=0, capacity=5)
    db.session.commit()
    body = reserve(client, event, quantity=1).get_json()
    assert body["status"] == "paid" and body["payment_reference"] is None
    assert read(client, body)["tickets"][0]["status"] == "valid"


def test_the_cap_on_unpaid_seats(client, db, hall):
    hall.unpaid_seats_cap = 3
    db.session.commit()
    assert reserve(client, hall, quantity=2, email="a@example.test").status_code == 201
    full = reserve(client, hall, quantity=2, email="b@example.test")
    assert full.status_code == 409 and full.get_json()["code"] == "reservations_full"
    assert reserve(client, hall, quantity=1, email="c@example.test").status_code == 201
    # Card buyers are not capped (no Stripe here: their hold gets as far as the call).
    card = client.post(f"/api/v1/events/{hall.id}/orders", json=order_body(hall, method="card"))
    assert card.get_json()["code"] == "payments_unavailable"


def test_at_the_deadline_the_reservation_is_released_and_the_buyer_told(
    client, db, hall, smtp_server, runner
):
    body = reserve(client, hall, locale="ru").get_json()
    assert len(smtp_server.messages) == 1  # the reservation with its tickets
    order = _db.session.get(Order, body["id"])
    order.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert read(client, body)["status"] == "expired"  # lazily, before any sweep
    result = runner.invoke(args=["expire-holds"])
    assert "Released 1" in result.output
    _db.session.expire_all()
    assert order.status == "expired"
    tickets = _db.session.execute(select(Ticket).where(Ticket.order_id == order.id)).scalars()
    assert {t.status for t in tickets} == {"revoked"}
    assert hall.ticket_types[0].seats_claimed == 0
    assert send_pending_emails() == (1, 0)
    assert send_pending_emails() == (0, 0)  # once
    _rcpt, released = smtp_server.messages[-1]
    text = released.get_body(("plain",)).get_content()
    assert body["payment_reference"] in text
    assert "Бронь" in released["Subject"] or "брон" in text.lower()


def test_references_are_unambiguous(app):
    for _ in range(200):
        reference = new_reference()
        assert REFERENCE.match(reference)
        assert not set(reference[2:]) & set("0O1IL2Z5S8BUV")


def test_a_payment_reminder_goes_out_once_a_day_before_the_deadline(client, db, hall, smtp_server):
    from ticketing.tasks.jobs import sweep

    hall.reservations_until = utcnow() + timedelta(days=5)
    db.session.commit()
    door = reserve(client, hall, locale="tr", email="kapi@example.test").get_json()
    transfer = reserve(client, hall, method="transfer", email="iban@example.test").get_json()
    assert len(smtp_server.messages) == 2  # the reservations themselves
    assert sweep()["reminders"] == 0  # five days ahead: not yet
    hall.reservations_until = utcnow() + timedelta(hours=20)
    for created in (door, transfer):  # made days ago, now a day from their deadline
        order = _db.session.get(Order, created["id"])
        order.expires_at = hall.reservations_until
        order.created_at = utcnow() - timedelta(days=4)
    db.session.commit()

    assert sweep()["reminders"] == 2
    assert sweep()["reminders"] == 0  # sent once
    reminders = {rcpt[0]: message for rcpt, message in smtp_server.messages[2:]}
    assert set(reminders) == {"kapi@example.test", "iban@example.test"}
    cash = reminders["kapi@example.test"].get_body(("plain",)).get_content()
    assert "1.500,00" in cash and "nakit" in cash  # "bring ₺1.500,00 in cash", in Turkish
    bank = reminders["iban@example.test"].get_body(("plain",)).get_content()
    assert transfer["payment_reference"] in bank and "IBAN TR00" in bank
    assert "not paid yet" in reminders["iban@example.test"]["Subject"]


def test_the_dashboard_shows_what_reservations_owe_apart(client, db, hall):
    from tests.support.web import login_session

    reserve(client, hall)
    member = f.member(hall.organization, "organizer")
    db.session.commit()
    login_session(client, member.user_id)
    page = client.get(f"/manage/events/{hall.id}/dashboard").get_data(as_text=True)
    cell = page[page.index('data-total="reserved_unpaid_minor"') :][:80]
    assert "1,500.00" in cell
