"""A late payment's refund is asked of Stripe after the webhook's commit (issue 12, item 10).

The webhook records a refund request in its own transaction, commits, then
calls Stripe. When Stripe cannot take the refund, the webhook answers 503
(never 500), Stripe delivers again, and the redelivery (or `flask
retry-refunds`) sends the kept request: one refund, money state consistent.
"""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.support import factories as f
from tests.support.servers import wait_for
from ticketing.database import utcnow
from ticketing.events.totals import event_totals
from ticketing.orders.models import Order
from ticketing.payments.models import Refund, RefundRequest
from ticketing.tasks import jobs


class RefundsDown:
    """Stripe's API failing refunds with a 500 while `down` is set (real HTTP, real SDK)."""

    def __init__(self, wsgi_app):
        self.wsgi_app, self.down, self.refused = wsgi_app, True, 0

    def __call__(self, environ, start_response):
        if (
            self.down
            and environ["REQUEST_METHOD"] == "POST"
            and environ["PATH_INFO"] == ("/v1/refunds")
        ):
            self.refused += 1
            body = json.dumps({"error": {"type": "api_error", "message": "Try again later."}})
            start_response(
                "500 INTERNAL SERVER ERROR",
                [("Content-Type", "application/json"), ("Stripe-Should-Retry", "false")],
            )
            return [body.encode()]
        return self.wsgi_app(environ, start_response)


@pytest.fixture
def late_payment(make_shop, db):
    """A buyer pays after their hold lapsed and the one seat was sold: Stripe refunds fail."""
    shop = make_shop("sync")
    org = f.organization()
    event = f.event(org)
    tier = f.tier(event, capacity=1, price_minor=3000)
    db.session.commit()
    first = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 1}]).json()
    db.session.execute(
        update(Order)
        .where(Order.id == first["id"])
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    second = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 1}]).json()
    assert shop.pay(second).status_code == 200
    fault = RefundsDown(shop.standin.app.wsgi_app)
    shop.standin.app.wsgi_app = fault
    assert shop.pay(first).status_code == 200  # the webhook is delivered, and retried, now
    return shop, event, first, fault


def completed_event(shop, session_id: str) -> dict:
    (found,) = [
        e
        for e in shop.standin.events("checkout.session.completed")
        if e["event"]["data"]["object"]["id"] == session_id
    ]
    return found


def test_stripe_down_keeps_the_request_and_the_sweep_sends_the_refund_once(late_payment, app, db):
    shop, event, first, fault = late_payment
    # The webhook answers after its own commit: the refund is the worker's task
    # (run at once in tests), which finds Stripe down and keeps the request.
    delivery = completed_event(shop, shop.session_id(first))["delivery"]
    assert (delivery["status"], delivery["last_http_status"]) == ("delivered", 200)
    assert fault.refused >= 1
    # Committed before Stripe was called: the payment, the flag, the request; no refund yet.
    late = db.session.get(Order, first["id"])
    assert late.needs_attention and late.refunded_minor == 0
    request = db.session.execute(select(RefundRequest)).scalar_one()
    assert (request.status, request.amount_minor, request.client_key) == (
        "requested",
        3000,
        "late-payment",
    )
    assert event_totals(event)["tickets_minor"] == 6000
    shop.release()

    fault.down = False
    assert jobs.sweep()["refunds"] == 1  # the worker's periodic sweep sends it again
    found = completed_event(shop, shop.session_id(first))
    response = shop.standin.admin("POST", f"/events/{found['id']}/resend", json={})
    assert response.json()["delivery"]["last_http_status"] == 200  # a redelivery: no second

    db.session.expire_all()
    late = db.session.get(Order, first["id"])
    assert late.status == "refunded" and late.refunded_minor == 3000
    request = db.session.execute(select(RefundRequest)).scalar_one()
    assert request.status == "succeeded" and request.attempts >= 2
    refunds = shop.standin.client().v1.refunds.list(
        params={"payment_intent": late.stripe_payment_intent_id}
    )
    assert [r.amount for r in refunds.data] == [3000]
    assert db.session.execute(select(Refund.stripe_refund_id)).scalar_one() == refunds.data[0].id
    totals = event_totals(event)
    assert (totals["refunds_minor"], totals["raised_minor"]) == (3000, 3000)


def test_retry_refunds_sends_what_stripe_did_not_take(late_payment, app, db):
    shop, event, first, fault = late_payment
    db.session.rollback()
    runner = app.test_cli_runner()
    still_down = runner.invoke(args=["retry-refunds"])
    assert "Sent 0 refund request(s); 1 still unsent" in still_down.output

    fault.down = False
    result = runner.invoke(args=["retry-refunds"])
    again = runner.invoke(args=["retry-refunds"])

    assert "Sent 1 refund request(s); 0 still unsent" in result.output, result.output
    assert "Sent 0 refund request(s); 0 still unsent" in again.output
    wait_for(lambda: db.session.get(Order, first["id"]).status == "refunded", db)
    late = db.session.get(Order, first["id"])
    refunds = shop.standin.client().v1.refunds.list(
        params={"payment_intent": late.stripe_payment_intent_id}
    )
    assert [r.amount for r in refunds.data] == [3000]
    assert event_totals(event)["refunds_minor"] == 3000
