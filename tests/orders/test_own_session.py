"""Issue 12 item 3: only the order's own Checkout Session pays or releases it.

One Stripe account serves other apps too, and a session's metadata is free
text: another app's $1 session that names our $600 order must not pay it,
and its expiry must not release our live hold.
"""

import json

import pytest

from tests.orders.stripe_world import deliver, event_body, state
from tests.orders.test_webhooks import event_id, kept_events
from tests.support import factories as f
from tests.support.standin_params import session_params


@pytest.fixture
def big_order(db, org):
    event = f.event(org, currency="USD")
    tier = f.tier(event, price_minor=6000, capacity=10, max_per_order=10)
    db.session.commit()
    return event, tier


def others_session(shop, order_id: int, unit_amount: int = 100, **overrides):
    """A session another app made on the same account, naming our order id."""
    params = session_params(
        unit_amount=unit_amount,
        quantity=1,
        order_id=str(order_id),
        shop_url=shop.url,
        **overrides,
    )
    return shop.standin.client().v1.checkout.sessions.create(params)


def test_another_apps_paid_session_does_not_pay_our_order(make_shop, db, big_order):
    shop = make_shop("off")
    event, tier = big_order
    created = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 10}]).json()
    assert created["total_minor"] == 60_000
    other = others_session(shop, created["id"])
    assert shop.standin.pay(other.id).json()["outcome"] == "paid"

    body = event_body(shop, "checkout.session.completed")
    answer = deliver(shop, body)
    assert answer.status_code == 200, answer.text
    kept = kept_events(db)[event_id(body)]
    assert kept["status"] == "applied" and "not sold through it" in kept["outcome"]["ignored"]
    after = state(db, created["id"])
    assert after["status"] == "pending" and after["tickets"] == [] and after["payment"] is None

    # The buyer's own payment still goes through, recording what Stripe charged.
    assert shop.pay(created).json()["outcome"] == "paid"
    own = event_body(shop, "checkout.session.completed")
    assert deliver(shop, own).json()["status"] == "received"
    assert kept_events(db)[event_id(own)]["outcome"] == {"fulfilled_order_id": created["id"]}
    paid = state(db, created["id"])
    assert paid["status"] == "paid" and paid["tickets"] == ["valid"] * 10
    assert paid["payment"] == ("succeeded", 60_000)


def test_a_session_for_the_same_number_in_another_currency_is_ignored(make_shop, db, big_order):
    """60,000 minor units, but in EUR and through another session: not our payment."""
    shop = make_shop("off")
    event, tier = big_order
    created = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 10}]).json()
    other = others_session(shop, created["id"], currency="eur", unit_amount=60_000)
    shop.standin.pay(other.id)
    body = event_body(shop, "checkout.session.completed")
    assert deliver(shop, body).json()["status"] == "received"
    assert "ignored" in kept_events(db)[event_id(body)]["outcome"]
    assert state(db, created["id"])["status"] == "pending"


def test_another_apps_expired_session_keeps_our_hold(make_shop, db, big_order):
    shop = make_shop("sync")
    event, tier = big_order
    created = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 10}]).json()
    other = others_session(shop, created["id"])
    shop.release()
    shop.standin.client().v1.checkout.sessions.expire(other.id)
    expired = shop.standin.events("checkout.session.expired")[0]
    assert expired["delivery"]["status"] == "delivered"  # answered 2xx, and ignored
    assert state(db, created["id"])["status"] == "pending"
    # The hold is still live: nobody else can take those ten seats.
    again = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 1}])
    assert again.status_code == 409, again.text
    # And the buyer can still pay.
    assert shop.pay(created).json()["outcome"] == "paid"
    assert state(db, created["id"])["status"] == "paid"
    assert json.loads(event_body(shop, "checkout.session.expired"))["data"]["object"]["id"] == (
        other.id
    )
