"""The stand-in shows Stripe's later events: refunds that settle or fail, disputes closed,
debits the bank answers days later, and retries spread out on a schedule."""

import time

import pytest

from tests.support.standin_params import session_params


def paid_intent(server, card: str = "4242424242424242") -> str:
    client = server.client()
    session = client.v1.checkout.sessions.create(session_params())  # 2 x 1500
    assert server.pay(session.id, card).json()["outcome"] == "paid"
    return client.v1.checkout.sessions.retrieve(session.id).payment_intent


def control(server, path: str, body: dict | None = None):
    return server.admin("POST", path, json=body or {})


def event_types(server) -> list[str]:
    return [e["type"] for e in server.events()][::-1]


def test_a_pending_refund_settles_and_its_events_follow(standin_server):
    client = standin_server.client()
    intent = paid_intent(standin_server, "4000 0000 0000 7726")
    refund = client.v1.refunds.create({"payment_intent": intent, "amount": 1000})
    assert refund.status == "pending"
    settled = control(standin_server, f"/refunds/{refund.id}/settle")
    assert settled.status_code == 200 and settled.json()["status"] == "succeeded"
    assert client.v1.refunds.retrieve(refund.id).status == "succeeded"
    assert event_types(standin_server)[-2:] == ["refund.updated", "charge.refund.updated"]
    again = control(standin_server, f"/refunds/{refund.id}/settle")
    assert again.status_code == 400 and "already succeeded" in again.text


def test_a_refund_on_the_5126_card_fails_after_succeeding(standin_server):
    client = standin_server.client()
    intent = paid_intent(standin_server, "4000000000005126")
    refund = client.v1.refunds.create({"payment_intent": intent})
    assert refund.status == "succeeded"
    charge = client.v1.charges.retrieve(refund.charge)
    assert charge.amount_refunded == 3000 and charge.refunded
    assert control(standin_server, f"/refunds/{refund.id}/settle").json()["status"] == "failed"
    failed = client.v1.refunds.retrieve(refund.id)
    assert failed.failure_reason == "expired_or_canceled_card"
    assert failed.failure_balance_transaction.startswith("txn_")
    charge = client.v1.charges.retrieve(refund.charge)
    assert charge.amount_refunded == 0 and not charge.refunded
    assert "refund.failed" in event_types(standin_server)
    # The money is back on the charge: it can be refunded again.
    assert client.v1.refunds.create({"payment_intent": intent, "amount": 500}).amount == 500


def test_only_a_pending_refund_can_be_canceled(standin_server):
    client = standin_server.client()
    refund = client.v1.refunds.create({"payment_intent": paid_intent(standin_server)})
    refused = control(standin_server, f"/refunds/{refund.id}/settle", {"status": "canceled"})
    assert refused.status_code == 400 and "pending" in refused.json()["error"]["message"]


def test_a_dispute_closes_won_or_lost(standin_server):
    client = standin_server.client()
    intent = paid_intent(standin_server, "4000000000000259")
    charge_id = client.v1.payment_intents.retrieve(intent).latest_charge
    (dispute,) = client.v1.disputes.list({"charge": charge_id}).data
    closed = control(standin_server, f"/disputes/{dispute.id}/close", {"outcome": "lost"})
    assert closed.json()["status"] == "lost"
    assert client.v1.disputes.retrieve(dispute.id).status == "lost"
    assert event_types(standin_server)[-1] == "charge.dispute.closed"
    assert (
        control(standin_server, f"/disputes/{dispute.id}/close", {"outcome": "won"}).status_code
        == 400
    )


@pytest.mark.parametrize(
    ("iban", "event", "payment_status"),
    [
        ("DE89 3704 0044 0532 0130 00", "checkout.session.async_payment_succeeded", "paid"),
        ("DE62370400440532013001", "checkout.session.async_payment_failed", "unpaid"),
    ],
)
def test_a_debit_completes_unpaid_then_the_bank_answers(
    standin_server, iban, event, payment_status
):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params())
    started = control(standin_server, f"/sessions/{session.id}/debit", {"iban": iban}).json()
    assert (started["status"], started["payment_status"]) == ("complete", "unpaid")
    intent = client.v1.payment_intents.retrieve(started["payment_intent"])
    assert intent.status == "processing"
    control(standin_server, f"/sessions/{session.id}/settle")
    after = client.v1.checkout.sessions.retrieve(session.id)
    assert after.payment_status == payment_status
    assert event_types(standin_server)[-1] == event
    assert control(standin_server, f"/sessions/{session.id}/settle").status_code == 400


def test_an_unknown_iban_is_refused(standin_server):
    session = standin_server.client().v1.checkout.sessions.create(session_params())
    refused = control(standin_server, f"/sessions/{session.id}/debit", {"iban": "DE00"})
    assert refused.status_code == 400 and "test IBAN" in refused.text


def test_retries_follow_the_schedule(make_standin_server, webhook_receiver):
    server = make_standin_server(
        STANDIN_WEBHOOK_URL=webhook_receiver.url, STANDIN_WEBHOOK_SCHEDULE="0.05,0.2"
    )
    webhook_receiver.statuses = [500, 503]
    session = server.client().v1.checkout.sessions.create(session_params())
    started = time.monotonic()
    server.pay(session.id)
    assert time.monotonic() - started >= 0.25  # sync mode: both waits happened
    (summary,) = server.events("checkout.session.completed")
    assert summary["delivery"]["status"] == "delivered" and summary["delivery"]["attempts"] == 3
    assert len(webhook_receiver.deliveries) == 3


def test_the_stripe_schedule_spreads_retries_over_three_days():
    from standin.webhooks import STRIPE_SCHEDULE, parse_schedule

    assert parse_schedule("stripe") == STRIPE_SCHEDULE
    assert 2.5 * 86400 <= sum(STRIPE_SCHEDULE) <= 3 * 86400
    assert list(STRIPE_SCHEDULE) == sorted(STRIPE_SCHEDULE)
    with pytest.raises(ValueError):
        parse_schedule("1,-2")
