"""Webhooks from the stand-in: signed exactly like Stripe's, delivered, retried, replayable."""

import json
import time

import pytest
import stripe

from standin.webhooks import sign
from tests.support.shop import TEST_KEY, WEBHOOK_SECRET
from tests.support.standin_params import session_params

VERIFIER = stripe.StripeClient(TEST_KEY)


def _paid_session(server):
    session = server.client().v1.checkout.sessions.create(session_params())
    assert server.pay(session.id).json()["outcome"] == "paid"
    return session


def test_events_are_signed_so_the_sdk_verifies_them(make_standin_server, webhook_receiver):
    server = make_standin_server(STANDIN_WEBHOOK_URL=webhook_receiver.url)
    session = _paid_session(server)

    (delivery,) = webhook_receiver.of_type("checkout.session.completed")
    assert delivery.path == "/webhooks/stripe"
    assert delivery.headers["Content-Type"].startswith("application/json")
    event = VERIFIER.construct_event(
        delivery.body, delivery.headers["Stripe-Signature"], WEBHOOK_SECRET
    )
    assert event.id.startswith("evt_")
    assert (event.object, event.type, event.livemode) == (
        "event",
        "checkout.session.completed",
        False,
    )
    assert event.api_version == stripe.api_version
    assert event.pending_webhooks == 1
    assert abs(event.created - time.time()) < 60
    obj = event.data.object
    assert (obj.id, obj.payment_status, obj.metadata["order_id"]) == (session.id, "paid", "42")

    header = dict(part.split("=", 1) for part in delivery.headers["Stripe-Signature"].split(","))
    assert abs(int(header["t"]) - time.time()) < 60 and len(header["v1"]) == 64


def test_a_tampered_body_or_wrong_secret_fails_verification(make_standin_server, webhook_receiver):
    server = make_standin_server(STANDIN_WEBHOOK_URL=webhook_receiver.url)
    _paid_session(server)
    (delivery,) = webhook_receiver.of_type("checkout.session.completed")
    header = delivery.headers["Stripe-Signature"]

    tampered = delivery.body.replace(b'"paid"', b'"unpaid"')
    assert tampered != delivery.body
    with pytest.raises(stripe.SignatureVerificationError):
        VERIFIER.construct_event(tampered, header, WEBHOOK_SECRET)
    with pytest.raises(stripe.SignatureVerificationError):
        VERIFIER.construct_event(delivery.body, header, "whsec_someone_else")


def test_sign_matches_the_sdk_helper():
    payload = json.dumps({"id": "evt_1", "type": "x"})
    assert sign(payload, WEBHOOK_SECRET, 1700000000) == (
        stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET, 1700000000)
    )


def test_refund_events_carry_the_charge_and_the_refund(make_standin_server, webhook_receiver):
    server = make_standin_server(STANDIN_WEBHOOK_URL=webhook_receiver.url)
    session = _paid_session(server)
    client = server.client()
    intent = client.v1.checkout.sessions.retrieve(session.id).payment_intent
    refund = client.v1.refunds.create(
        {"payment_intent": intent, "amount": 500}, options={"idempotency_key": "r-1"}
    )

    (charge_event,) = webhook_receiver.of_type("charge.refunded")
    event = VERIFIER.construct_event(
        charge_event.body, charge_event.headers["Stripe-Signature"], WEBHOOK_SECRET
    )
    charge = event.data.object
    assert (charge.object, charge.amount_refunded, charge.refunded) == ("charge", 500, False)
    assert charge.refunds.data[0].id == refund.id
    assert event.request.idempotency_key == "r-1"
    (refund_event,) = webhook_receiver.of_type("refund.created")
    assert json.loads(refund_event.body)["data"]["object"]["id"] == refund.id


def test_failed_deliveries_are_retried_then_recorded(make_standin_server, webhook_receiver):
    webhook_receiver.statuses = [500, 503]
    server = make_standin_server(STANDIN_WEBHOOK_URL=webhook_receiver.url)
    _paid_session(server)

    deliveries = webhook_receiver.of_type("checkout.session.completed")
    assert len(deliveries) == 3
    assert len({json.loads(d.body)["id"] for d in deliveries}) == 1  # one event, retried
    (summary,) = server.events("checkout.session.completed")
    assert summary["delivery"]["status"] == "delivered"
    assert summary["delivery"]["attempts"] == 3
    assert summary["delivery"]["last_http_status"] == 200


def test_a_receiver_that_always_fails_gives_up_after_bounded_attempts(
    make_standin_server, webhook_receiver
):
    webhook_receiver.statuses = [400] * 10
    server = make_standin_server(
        STANDIN_WEBHOOK_URL=webhook_receiver.url, STANDIN_WEBHOOK_ATTEMPTS=3
    )
    _paid_session(server)
    assert len(webhook_receiver.deliveries) == 3
    (summary,) = server.events("checkout.session.completed")
    assert (summary["delivery"]["status"], summary["delivery"]["last_http_status"]) == (
        "failed",
        400,
    )


def test_an_unreachable_endpoint_is_recorded_not_raised(make_standin_server):
    server = make_standin_server(
        STANDIN_WEBHOOK_URL="http://127.0.0.1:9/nothing", STANDIN_WEBHOOK_ATTEMPTS=2
    )
    session = _paid_session(server)
    assert server.client().v1.checkout.sessions.retrieve(session.id).status == "complete"
    (summary,) = server.events("checkout.session.completed")
    assert summary["delivery"]["status"] == "failed"
    assert "Error" in summary["delivery"]["last_error"]


def test_resend_delivers_the_same_event_again(make_standin_server, webhook_receiver):
    server = make_standin_server(STANDIN_WEBHOOK_URL=webhook_receiver.url)
    _paid_session(server)
    (summary,) = server.events("checkout.session.completed")

    response = server.admin("POST", f"/events/{summary['id']}/resend")
    assert response.json()["delivery"]["status"] == "delivered"
    deliveries = webhook_receiver.of_type("checkout.session.completed")
    assert len(deliveries) == 2
    assert deliveries[0].body == deliveries[1].body
    for delivery in deliveries:
        VERIFIER.construct_event(
            delivery.body, delivery.headers["Stripe-Signature"], WEBHOOK_SECRET
        )
    missing = server.admin("POST", "/events/evt_nope/resend")
    assert missing.status_code == 404


def test_off_mode_records_without_delivering(make_standin_server, webhook_receiver):
    server = make_standin_server(
        STANDIN_WEBHOOK_URL=webhook_receiver.url, STANDIN_WEBHOOK_MODE="off"
    )
    _paid_session(server)
    assert webhook_receiver.deliveries == []
    (summary,) = server.events("checkout.session.completed")
    assert summary["delivery"]["status"] == "not_sent"
    assert summary["event"]["pending_webhooks"] == 0


def test_async_mode_delivers_after_the_response(make_standin_server, webhook_receiver):
    server = make_standin_server(
        STANDIN_WEBHOOK_URL=webhook_receiver.url, STANDIN_WEBHOOK_MODE="async"
    )
    session = _paid_session(server)
    deadline = time.monotonic() + 10
    while (
        not webhook_receiver.of_type("checkout.session.completed") and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    (delivery,) = webhook_receiver.of_type("checkout.session.completed")
    assert json.loads(delivery.body)["data"]["object"]["id"] == session.id


def test_the_receiver_sees_the_new_state_when_it_reads_back(make_standin_server, webhook_receiver):
    """Events go out after the commit: a handler that re-reads the session sees it paid."""
    seen = []
    server = None

    original = webhook_receiver.deliveries

    class ReadBack(list):
        def append(self, delivery):
            body = json.loads(delivery.body)
            if body["type"] == "checkout.session.completed":
                fresh = server.client().v1.checkout.sessions.retrieve(body["data"]["object"]["id"])
                seen.append(fresh.payment_status)
            super().append(delivery)

    webhook_receiver.deliveries = ReadBack(original)
    server = make_standin_server(STANDIN_WEBHOOK_URL=webhook_receiver.url)
    _paid_session(server)
    assert seen == ["paid"]


def test_each_delivery_attempt_is_logged_with_its_duration(make_standin_server, webhook_receiver):
    webhook_receiver.statuses = [503]
    server = make_standin_server(STANDIN_WEBHOOK_URL=webhook_receiver.url)
    _paid_session(server)

    (summary,) = server.events("checkout.session.completed")
    attempts = summary["delivery"]["log"]
    assert [a["http_status"] for a in attempts] == [503, 200]
    assert [a["attempt"] for a in attempts] == [1, 2]
    assert all(0 < a["duration_ms"] < 5000 for a in attempts)
    assert attempts[0]["started"] <= attempts[1]["started"]


def test_an_api_delay_slows_every_api_answer_but_not_the_controls(make_standin_server):
    server = make_standin_server(STANDIN_API_DELAY_SECONDS="0.3")
    client = server.client()
    started = time.monotonic()
    session = client.v1.checkout.sessions.create(session_params())
    client.v1.checkout.sessions.retrieve(session.id)
    assert time.monotonic() - started >= 0.6
    started = time.monotonic()
    assert server.pay(session.id).json()["outcome"] == "paid"
    assert time.monotonic() - started < 0.3
