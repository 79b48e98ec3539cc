"""No network call while a row lock is held: every call to Stripe finds no open transaction.

A transaction open across a Stripe call keeps the order's row lock (and on
SQLite the whole database's write lock) for as long as Stripe takes.
"""

from tests.support import factories as f
from tests.support.servers import wait_for
from ticketing.extensions import db as database
from ticketing.orders.models import Order
from ticketing.payments import gateway


def test_checkout_pay_success_refund_and_cancel_call_stripe_outside_a_transaction(
    shop, db, org, concert, monkeypatch
):
    token = f.token(org, "organizer")
    db.session.commit()
    calls: list[bool] = []
    real_client = gateway.client

    def watched_client():
        calls.append(database.session().in_transaction())  # the app thread's own session
        return real_client()

    monkeypatch.setattr(gateway, "client", watched_client)
    tier = concert.ticket_types[0]
    created = shop.buy(concert.id, [{"ticket_type_id": tier.id, "quantity": 2}]).json()
    assert shop.pay(created).json()["outcome"] == "paid"
    back = shop.api(
        "GET",
        f"/checkout/{created['id']}/success",
        params={"token": created["access_token"], "session_id": shop.session_id(created)},
        allow_redirects=False,
    )
    assert back.status_code == 303
    refunded = shop.api(
        "POST",
        f"/api/v1/orders/{created['id']}/refund",
        json={"amount_minor": 1000},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refunded.status_code == 200, refunded.text
    wait_for(lambda: db.session.get(Order, created["id"]).refunded_minor == 1000, db)
    left = shop.buy(concert.id, [{"ticket_type_id": tier.id, "quantity": 1}]).json()
    page = shop.api("GET", f"/checkout/{left['id']}/cancel", params={"token": left["access_token"]})
    assert page.status_code == 200 and "seats were released" in page.text
    # Session create (x2), re-reads by the webhooks, the refund, the expiry:
    # all of them, and none inside a transaction.
    assert len(calls) >= 5
    assert not any(calls), calls
