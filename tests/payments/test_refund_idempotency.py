"""A retried refund refunds once (issue 12, item 5).

The refund API takes an Idempotency-Key header; the dashboard's refund form
carries a one-time key made when it is rendered. Either way the request is a
row committed before Stripe is called, sent under its own random Stripe key.
"""

import threading

import pytest
import requests
from sqlalchemy import select

from tests.support import factories as f
from tests.support.servers import wait_for
from tests.support.web import csrf_token, login_as
from ticketing.orders.models import Order
from ticketing.payments.models import Refund, RefundRequest


@pytest.fixture
def paid(make_shop, db):
    shop = make_shop("sync")  # charge.refunded comes back while the refund call is running
    org = f.organization()
    member = f.member(org, "organizer")
    event = f.event(org, currency="USD")
    tier = f.tier(event, price_minor=2500)
    db.session.commit()
    created = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 2}]).json()
    assert shop.pay(created).status_code == 200
    wait_for(lambda: db.session.get(Order, created["id"]).status == "paid", db)
    token = f.token(db.session.get(type(org), org.id), "organizer")
    db.session.commit()
    return shop, created, {"Authorization": f"Bearer {token}"}, member.user


def stripe_refunds(shop, db, order_id: int) -> list:
    intent = db.session.get(Order, order_id).stripe_payment_intent_id
    db.session.rollback()
    client = shop.standin.client()
    return client.v1.refunds.list(params={"payment_intent": intent, "limit": 100}).data


def refund(shop, created, auth, key=None, **body):
    headers = {**auth, **({"Idempotency-Key": key} if key else {})}
    return shop.api("POST", f"/api/v1/orders/{created['id']}/refund", json=body, headers=headers)


def test_the_same_key_twice_refunds_once_and_answers_the_same(paid, db):
    shop, created, auth, _ = paid
    first = refund(shop, created, auth, key="retry-1", amount_minor=1000)
    again = refund(shop, created, auth, key="retry-1", amount_minor=1000)

    assert first.status_code == again.status_code == 200, again.text
    assert first.json()["refunded_minor"] == again.json()["refunded_minor"] == 1000
    assert again.json()["status"] == "partially_refunded"
    assert [r.amount for r in stripe_refunds(shop, db, created["id"])] == [1000]
    other = refund(shop, created, auth, key="retry-2", amount_minor=1000)
    assert other.json()["refunded_minor"] == 2000  # a new key is a new refund
    assert len(stripe_refunds(shop, db, created["id"])) == 2
    assert len(db.session.execute(select(Refund)).scalars().all()) == 2


def test_the_same_key_with_another_amount_is_a_conflict(paid, db):
    shop, created, auth, _ = paid
    assert refund(shop, created, auth, key="k", amount_minor=1000).status_code == 200
    other = refund(shop, created, auth, key="k", amount_minor=1500)
    everything = refund(shop, created, auth, key="k")

    assert other.status_code == everything.status_code == 409
    assert "Idempotency-Key was already used" in other.json()["message"]
    assert "amount_minor 1000" in everything.json()["message"]
    assert [r.amount for r in stripe_refunds(shop, db, created["id"])] == [1000]
    assert db.session.get(Order, created["id"]).refunded_minor == 1000


def test_concurrent_identical_requests_make_one_stripe_refund(paid, db):
    shop, created, auth, _ = paid
    shop.release()
    answers, barrier = [], threading.Barrier(6)

    def send():
        barrier.wait()
        answers.append(
            requests.post(
                f"{shop.url}/api/v1/orders/{created['id']}/refund",
                json={"amount_minor": 700},
                headers={**auth, "Idempotency-Key": "double-click"},
                timeout=30,
            )
        )

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    ok = [a for a in answers if a.status_code == 200]
    assert ok and all(a.status_code in (200, 503) for a in answers), [a.text for a in answers]
    assert {a.json()["refunded_minor"] for a in ok} == {700}
    assert [r.amount for r in stripe_refunds(shop, db, created["id"])] == [700]
    db.session.rollback()
    assert db.session.get(Order, created["id"]).refunded_minor == 700
    requests_made = db.session.execute(select(RefundRequest)).scalars().all()
    assert [(r.status, r.amount_minor) for r in requests_made] == [("succeeded", 700)]


def test_a_double_submitted_dashboard_refund_refunds_once(paid, app, db):
    shop, created, _, organizer = paid
    client = app.test_client()
    login_as(client, organizer)
    page = client.get(f"/manage/orders/{created['id']}").get_data(as_text=True)
    key = csrf_token(page, "key")
    assert key.startswith("form-")
    assert csrf_token(client.get(f"/manage/orders/{created['id']}").data, "key") != key
    form = {"csrf_token": csrf_token(page), "key": key, "amount": "12.00"}

    first = client.post(f"/manage/orders/{created['id']}/refund", data=form)
    second = client.post(f"/manage/orders/{created['id']}/refund", data=form)

    assert first.status_code == second.status_code == 302
    assert [r.amount for r in stripe_refunds(shop, db, created["id"])] == [1200]
    assert db.session.get(Order, created["id"]).refunded_minor == 1200
