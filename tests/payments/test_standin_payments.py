"""Paying on the stand-in's hosted page, fees, declines, 3-D Secure, disputes, refunds."""

import threading

import pytest
import requests
import stripe

from tests.support.standin_params import session_params

EXPAND_ALL = ["payment_intent.latest_charge.balance_transaction"]


def _pay_on_page(session, card_number, **fields):
    """What a browser posts from the hosted form."""
    return requests.post(
        session.url, data={"card_number": card_number, **fields}, allow_redirects=False, timeout=10
    )


def test_the_page_shows_the_order_and_the_test_cards(standin_server):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params(unit_amount=1250, quantity=2))
    page = requests.get(session.url, timeout=5)

    assert page.status_code == 200
    assert "Simulated payment: test cards only, no money moves" in page.text
    assert "General admission" in page.text
    assert "$25.00" in page.text and "$12.50" in page.text
    assert "4242 4242 4242 4242" in page.text and "4000 0000 0000 0002" in page.text
    assert 'href="http://shop.test/orders/42/cancel"' in page.text
    assert 'name="card_number"' in page.text and 'name="cvc"' in page.text
    assert 'name="viewport"' in page.text


def test_paying_with_4242_completes_the_session_with_charge_and_fee(standin_server):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params(unit_amount=1500, quantity=2))

    response = _pay_on_page(session, "4242 4242 4242 4242", expiry="12/34", cvc="123", name="Ada")
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"http://shop.test/orders/42/success?session_id={session.id}"
    )

    full = client.v1.checkout.sessions.retrieve(session.id, {"expand": EXPAND_ALL})
    assert (full.status, full.payment_status) == ("complete", "paid")
    intent = full.payment_intent
    assert intent.id.startswith("pi_") and intent.status == "succeeded"
    assert (intent.amount, intent.amount_received, intent.currency) == (3000, 3000, "usd")
    assert intent.metadata["order_id"] == "42"
    charge = intent.latest_charge
    assert charge.id.startswith("ch_")
    assert (charge.amount, charge.amount_refunded, charge.refunded) == (3000, 0, False)
    assert charge.payment_intent == intent.id
    txn = charge.balance_transaction
    assert txn.id.startswith("txn_")
    assert (txn.amount, txn.fee, txn.net) == (3000, 117, 2883)  # 2.9 % of 3000 = 87, + 30
    assert txn.fee_details[0].type == "stripe_fee"

    # the same objects one by one, as the app may read them
    assert client.v1.payment_intents.retrieve(intent.id).latest_charge == charge.id
    assert client.v1.charges.retrieve(charge.id).balance_transaction == txn.id
    assert client.v1.balance_transactions.retrieve(txn.id).fee == 117
    by_intent = client.v1.payment_intents.retrieve(
        intent.id, {"expand": ["latest_charge.balance_transaction"]}
    )
    assert by_intent.latest_charge.balance_transaction.net == 2883

    completed = standin_server.events("checkout.session.completed")
    assert [e["event"]["data"]["object"]["payment_intent"] for e in completed] == [intent.id]


def test_a_decline_shows_on_the_page_and_a_retry_with_4242_pays(standin_server):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params())

    declined = _pay_on_page(session, "4000 0000 0000 0002", name="Ada Lovelace", expiry="12/34")
    assert declined.status_code == 402
    assert "Your card was declined." in declined.text
    assert 'value="Ada Lovelace"' in declined.text  # the form keeps what was typed
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"

    paid = _pay_on_page(session, "4242424242424242")
    assert paid.status_code == 303
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"
    assert len(standin_server.events("checkout.session.completed")) == 1


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ("4000000000009995", "Your card has insufficient funds."),
        ("1234 5678 9012 3456", "Your card number is incorrect."),
        ("", "Your card number is incorrect."),
        ("4000000000000069", "Your card has expired."),
    ],
)
def test_other_refusals(standin_server, card, message):
    session = standin_server.client().v1.checkout.sessions.create(session_params())
    response = _pay_on_page(session, card)
    assert response.status_code == 402
    assert message in response.text
    assert standin_server.events("checkout.session.completed") == []


def test_three_d_secure_complete_pays_and_fail_declines(standin_server):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params())

    challenge = _pay_on_page(session, "4000 0025 0000 3155")
    assert challenge.status_code == 200
    assert "Complete authentication" in challenge.text and "Fail authentication" in challenge.text
    failed = requests.post(
        f"{session.url}/authenticate",
        data={"card_number": "4000002500003155", "outcome": "fail"},
        allow_redirects=False,
        timeout=5,
    )
    assert failed.status_code == 402
    assert "unable to authenticate" in failed.text
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"

    completed = requests.post(
        f"{session.url}/authenticate",
        data={"card_number": "4000002500003155", "outcome": "complete"},
        allow_redirects=False,
        timeout=5,
    )
    assert completed.status_code == 303
    assert client.v1.checkout.sessions.retrieve(session.id).status == "complete"


def test_card_0259_pays_then_opens_a_dispute(standin_server):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params())
    assert _pay_on_page(session, "4000000000000259").status_code == 303

    full = client.v1.checkout.sessions.retrieve(session.id, {"expand": ["payment_intent"]})
    (event,) = standin_server.events("charge.dispute.created")
    dispute = event["event"]["data"]["object"]
    assert dispute["id"].startswith("dp_")
    assert dispute["payment_intent"] == full.payment_intent.id
    assert dispute["charge"] == full.payment_intent.latest_charge
    assert (dispute["amount"], dispute["reason"], dispute["status"]) == (
        3000,
        "fraudulent",
        "needs_response",
    )
    assert client.v1.charges.retrieve(dispute["charge"]).disputed is True
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.refunds.create({"payment_intent": full.payment_intent.id})
    assert raised.value.code == "charge_disputed"


def test_completed_and_expired_sessions_show_a_page_instead_of_the_form(standin_server):
    client = standin_server.client()
    paid = client.v1.checkout.sessions.create(session_params())
    _pay_on_page(paid, "4242424242424242")
    page = requests.get(f"{standin_server.url}/pay/{paid.id}", timeout=5)
    assert "This payment is complete" in page.text and 'name="card_number"' not in page.text
    again = requests.post(
        f"{standin_server.url}/pay/{paid.id}",
        data={"card_number": "4242424242424242"},
        allow_redirects=False,
        timeout=5,
    )
    assert again.status_code == 303  # paying twice never charges twice
    assert len(standin_server.events("checkout.session.completed")) == 1

    gone = client.v1.checkout.sessions.create(session_params())
    client.v1.checkout.sessions.expire(gone.id)
    page = requests.get(f"{standin_server.url}/pay/{gone.id}", timeout=5)
    assert "This checkout has expired" in page.text and 'name="card_number"' not in page.text
    late = requests.post(
        f"{standin_server.url}/pay/{gone.id}", data={"card_number": "4242424242424242"}, timeout=5
    )
    assert late.status_code == 409
    assert client.v1.checkout.sessions.retrieve(gone.id).payment_status == "unpaid"


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"card_number": ["4242"], "expiry": "99/99"}},
        {"data": {"expiry": "1/"}},
        {"data": {"cvc": "x" * 500}},
        {"json": [1, 2, 3]},
        {"json": {"card_number": {"a": 1}}},
        {"data": b"\xff\xfe junk", "headers": {"Content-Type": "application/json"}},
        {"data": "card_number=%ZZ&name=%00"},
    ],
)
def test_junk_on_the_page_never_500s(standin_server, body):
    session = standin_server.client().v1.checkout.sessions.create(session_params())
    response = requests.post(session.url, timeout=5, allow_redirects=False, **body)
    assert response.status_code in (402,)
    assert "<form" in response.text


def test_unknown_session_page_is_a_404_page(standin_server):
    response = requests.get(f"{standin_server.url}/pay/cs_test_unknown", timeout=5)
    assert response.status_code == 404
    assert "No such checkout" in response.text
    posted = requests.post(f"{standin_server.url}/pay/x", data={"card_number": "1"}, timeout=5)
    assert posted.status_code == 404


def test_a_json_post_pays_like_the_form(standin_server):
    session = standin_server.client().v1.checkout.sessions.create(session_params())
    response = requests.post(
        session.url, json={"card_number": "4242 4242 4242 4242"}, allow_redirects=False, timeout=5
    )
    assert response.status_code == 303


def test_control_endpoint_pays_and_reports_declines(standin_server):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params())
    declined = standin_server.pay(session.id, "4000000000000002")
    assert declined.status_code == 402
    assert declined.json()["error"]["decline_code"] == "generic_decline"
    paid = standin_server.pay(session.id, "4242424242424242")
    assert paid.json()["outcome"] == "paid"
    assert paid.json()["redirect_url"].endswith(f"session_id={session.id}")
    twice = standin_server.pay(session.id, "4242424242424242")
    assert twice.status_code == 400
    assert twice.json()["error"]["code"] == "checkout_session_not_open"


def test_concurrent_payments_of_one_session_charge_once(standin_server):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params())
    outcomes = []

    def pay():
        outcomes.append(standin_server.pay(session.id).status_code)

    threads = [threading.Thread(target=pay) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == [200] + [400] * 9
    with standin_server.store.read() as tx:
        assert len(tx.all_of("charge")) == 1
    assert len(standin_server.events("checkout.session.completed")) == 1


def test_refund_part_then_the_rest_then_nothing_more(standin_server):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params(unit_amount=1500, quantity=2))
    standin_server.pay(session.id)
    intent_id = client.v1.checkout.sessions.retrieve(session.id).payment_intent

    partial = client.v1.refunds.create(
        {"payment_intent": intent_id, "amount": 1000, "metadata": {"order_id": "42"}},
        options={"idempotency_key": "refund-42-1"},
    )
    assert partial.id.startswith("re_")
    assert (partial.status, partial.amount, partial.currency) == ("succeeded", 1000, "usd")
    assert partial.payment_intent == intent_id and partial.metadata["order_id"] == "42"
    replay = client.v1.refunds.create(
        {"payment_intent": intent_id, "amount": 1000, "metadata": {"order_id": "42"}},
        options={"idempotency_key": "refund-42-1"},
    )
    assert replay.id == partial.id  # a retried refund is not a second refund

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.refunds.create({"payment_intent": intent_id, "amount": 2001})
    assert (raised.value.code, raised.value.param) == ("amount_too_large", "amount")

    rest = client.v1.refunds.create({"payment_intent": intent_id})
    assert rest.amount == 2000
    charge = client.v1.charges.retrieve(rest.charge)
    assert (charge.amount_refunded, charge.refunded) == (3000, True)
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.refunds.create({"charge": charge.id, "amount": 1})
    assert raised.value.code == "charge_already_refunded"

    listed = client.v1.refunds.list({"payment_intent": intent_id, "limit": 100})
    assert [r.id for r in listed.data] == [rest.id, partial.id]
    assert client.v1.refunds.retrieve(partial.id).amount == 1000

    refunded_events = standin_server.events("charge.refunded")
    assert [e["event"]["data"]["object"]["amount_refunded"] for e in refunded_events] == [
        3000,
        1000,
    ]
    assert refunded_events[0]["event"]["data"]["object"]["refunds"]["total_count"] == 2
    assert len(standin_server.events("refund.created")) == 2


def test_refund_errors(standin_server):
    client = standin_server.client()
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.refunds.create({"payment_intent": "pi_missing"})
    assert raised.value.http_status == 404
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.refunds.create({})
    assert raised.value.code == "parameter_missing"
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.refunds.create({"charge": "ch_x", "amount": 0})
    assert raised.value.http_status in (400, 404)
