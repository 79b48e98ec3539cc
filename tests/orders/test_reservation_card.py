"""A reservation paid by card from its order page: Stripe Checkout (the
offline stand-in through the real SDK) for the amount due, then the
webhook settles it: paid, tickets valid, the card sale in the ledger."""

from sqlalchemy import select

from tests.support import factories as f
from ticketing.extensions import db as _db
from ticketing.orders.models import Order
from ticketing.orders.reservation_card import card_checkout_url, card_payable
from ticketing.payments.models import LedgerEntry


def reserve(shop, event, method="door"):
    tier = event.ticket_types[0]
    body = {
        "buyer_name": "Ada Buyer",
        "buyer_email": "ada@example.test",
        "items": [{"ticket_type_id": tier.id, "quantity": 2}],
        "payment_method": method,
    }
    answer = shop.api("POST", f"/api/v1/events/{event.id}/orders", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_the_buyer_pays_a_reservation_by_card(shop, db, org):
    event = f.event(org, payment_methods=["card", "door"])
    f.tier(event, price_minor=2500, capacity=10)
    db.session.commit()
    created = reserve(shop, event)
    page = shop.api("GET", f"/orders/{created['id']}/{created['access_token']}").text
    assert "Pay $50.00 by card now" in page
    marks = page.split('class="ticket-unpaid-mark"')[1:]
    assert len(marks) == 2  # on each ticket
    assert all(mark.split("</p>")[0].count("Unpaid: $50.00 due at the door, by") for mark in marks)

    with shop.app.test_request_context():  # what the page's button runs
        url = card_checkout_url(created["id"], created["access_token"])
        again = card_checkout_url(created["id"], created["access_token"])
    assert again == url  # the open session is reused, never a second one to pay
    session_id = url.rstrip("/").rsplit("/", 1)[-1]
    paid = shop.standin.pay(session_id)
    assert paid.status_code == 200, paid.text

    order = shop.order(created)
    assert order["status"] == "paid" and order["amount_due_minor"] == 0
    assert {t["status"] for t in order["tickets"]} == {"valid"}
    _db.session.commit()
    sales = _db.session.execute(
        select(LedgerEntry.kind, LedgerEntry.amount_minor).where(LedgerEntry.event_id == event.id)
    ).all()
    assert ("ticket_sale", 5000) in sales


def test_no_card_for_a_cash_only_event(shop, db, org):
    event = f.event(org, currency="RUB", payment_methods=["door"])
    f.tier(event, price_minor=100000, capacity=10)
    db.session.commit()
    created = reserve(shop, event)
    _db.session.commit()
    assert not card_payable(_db.session.get(Order, created["id"]))
    page = shop.api("GET", f"/orders/{created['id']}/{created['access_token']}").text
    assert "by card now" not in page
    assert "due at the door" in page
