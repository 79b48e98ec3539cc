"""Checkout Sessions on the stand-in, driven only through the real stripe SDK over HTTP."""

import threading
import time
from decimal import Decimal

import pytest
import requests
import stripe
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server

from standin import create_standin_app
from tests.support.shop import SHOP_ORIGIN, TEST_KEY
from tests.support.standin_params import session_params
from ticketing.money import exponent


def test_create_returns_an_open_session_like_stripe(standin_server):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params())

    assert session.id.startswith("cs_test_")
    assert session.object == "checkout.session"
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert (session.amount_total, session.amount_subtotal, session.currency) == (3000, 3000, "usd")
    assert session.metadata["order_id"] == "42"
    assert session.client_reference_id == "42"
    assert session.customer_email == "buyer@example.org"
    assert session.payment_intent is None
    assert session.livemode is False
    assert session.url == f"{standin_server.url}/pay/{session.id}"
    assert "{CHECKOUT_SESSION_ID}" in session.success_url


def test_retrieve_and_unknown_id(standin_server):
    client = standin_server.client()
    created = client.v1.checkout.sessions.create(session_params())
    again = client.v1.checkout.sessions.retrieve(created.id)
    assert again.id == created.id and again.expires_at == created.expires_at

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.retrieve("cs_test_nope")
    assert raised.value.http_status == 404
    assert raised.value.code == "resource_missing"


def test_expire_sends_one_event_and_a_second_expire_is_refused(standin_server):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params())

    expired = client.v1.checkout.sessions.expire(session.id)
    assert expired.status == "expired" and expired.url is None
    with pytest.raises(stripe.InvalidRequestError, match='status of "expired"'):
        client.v1.checkout.sessions.expire(session.id)

    events = standin_server.events("checkout.session.expired")
    assert [e["event"]["data"]["object"]["id"] for e in events] == [session.id]


def test_a_paid_session_cannot_be_expired(standin_server):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params())
    assert standin_server.pay(session.id).json()["outcome"] == "paid"

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.expire(session.id)
    assert raised.value.http_status == 400
    assert client.v1.checkout.sessions.retrieve(session.id).status == "complete"


@pytest.mark.parametrize("expires_in", [29 * 60, 24 * 3600 + 60, -10])
def test_expires_at_outside_30_minutes_to_24_hours_is_refused(standin_server, expires_in):
    client = standin_server.client()
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(session_params(expires_in=expires_in))
    assert raised.value.param == "expires_at"
    assert raised.value.http_status == 400
    assert raised.value.json_body["error"]["type"] == "invalid_request_error"


def test_expires_at_bounds_themselves_are_accepted(standin_server):
    client = standin_server.client()
    low = client.v1.checkout.sessions.create(session_params(expires_in=30 * 60))
    high = client.v1.checkout.sessions.create(session_params(expires_in=24 * 3600 - 5))
    assert low.status == high.status == "open"


def test_same_idempotency_key_returns_the_first_session(standin_server):
    client = standin_server.client()
    params = session_params()
    first = client.v1.checkout.sessions.create(params, options={"idempotency_key": "order-42"})
    second = client.v1.checkout.sessions.create(params, options={"idempotency_key": "order-42"})
    other = client.v1.checkout.sessions.create(params, options={"idempotency_key": "order-43"})

    assert second.id == first.id
    assert other.id != first.id
    assert second.last_response.headers.get("Idempotent-Replayed") == "true"
    with standin_server.store.read() as tx:
        assert len(tx.all_of("checkout.session")) == 2


def test_an_idempotency_key_reused_with_other_parameters_is_refused(standin_server):
    client = standin_server.client()
    client.v1.checkout.sessions.create(session_params(), options={"idempotency_key": "k"})
    with pytest.raises(stripe.IdempotencyError):
        client.v1.checkout.sessions.create(
            session_params(quantity=3), options={"idempotency_key": "k"}
        )


def test_concurrent_requests_with_one_key_create_one_session(standin_server):
    params = session_params()
    ids, errors = [], []

    def create():
        try:
            session = standin_server.client().v1.checkout.sessions.create(
                params, options={"idempotency_key": "race-key"}
            )
            ids.append(session.id)
        except Exception as exc:  # recorded, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(ids) == 8 and len(set(ids)) == 1


@pytest.mark.parametrize(
    ("overrides", "param", "code"),
    [
        ({"currency": "xyz"}, "line_items[0][price_data][currency]", "parameter_invalid"),
        ({"unit_amount": 10, "quantity": 1}, "line_items", "amount_too_small"),
        ({"unit_amount": -5}, "line_items[0][price_data][unit_amount]", None),
        ({"quantity": 0}, "line_items[0][quantity]", None),
    ],
)
def test_line_items_are_validated_like_stripe(standin_server, overrides, param, code):
    client = standin_server.client()
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(session_params(**overrides))
    assert raised.value.param == param
    if code:
        assert raised.value.code == code


def test_missing_and_unknown_parameters(standin_server):
    client = standin_server.client()
    params = session_params()
    del params["success_url"]
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(params)
    assert (raised.value.code, raised.value.param) == ("parameter_missing", "success_url")

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(session_params(colour="blue"))
    assert raised.value.code == "parameter_unknown"

    params = session_params()
    params["line_items"][0]["price_data"]["product_data"] = {"title": "x"}
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(params)
    assert raised.value.param == "line_items[0][price_data][product_data][title]"


def test_a_minimum_below_stripes_is_refused_with_a_clear_message(standin_server):
    client = standin_server.client()
    with pytest.raises(stripe.InvalidRequestError, match=r"at least \$0\.50"):
        client.v1.checkout.sessions.create(session_params(unit_amount=49, quantity=1))


@pytest.mark.parametrize(
    ("currency", "unit_amount", "total"),
    [("jpy", 1500, 3000), ("JPY", 50, 100), ("kwd", 2500, 5000), ("usd", 1, 50)],
)
def test_amounts_pass_through_unchanged(standin_server, currency, unit_amount, total):
    """Zero-decimal (JPY) and three-decimal (KWD) amounts are minor units, as sent."""
    client = standin_server.client()
    quantity = total // unit_amount
    session = client.v1.checkout.sessions.create(
        session_params(currency=currency, unit_amount=unit_amount, quantity=quantity)
    )
    assert session.amount_total == total
    assert session.currency == currency.lower()
    paid = standin_server.pay(session.id).json()
    assert paid["outcome"] == "paid"
    full = client.v1.checkout.sessions.retrieve(
        session.id, {"expand": ["payment_intent.latest_charge.balance_transaction"]}
    )
    assert full.payment_intent.amount == total
    txn = full.payment_intent.latest_charge.balance_transaction
    assert txn.currency == "usd"  # settled in the account's currency (default usd)
    assert txn.net == txn.amount - txn.fee
    if currency.lower() == "usd":
        assert (txn.amount, txn.exchange_rate) == (total, None)
    else:  # charge amount x exchange_rate = settled amount (major units)
        settled = Decimal(total).scaleb(-exponent(currency)) * Decimal(str(txn.exchange_rate))
        assert abs(txn.amount - settled * 100) <= Decimal("0.5")


def test_three_decimal_totals_must_end_in_zero(standin_server):
    client = standin_server.client()
    with pytest.raises(stripe.InvalidRequestError, match="nearest ten"):
        client.v1.checkout.sessions.create(
            session_params(currency="kwd", unit_amount=2505, quantity=1)
        )


def test_live_keys_are_refused(standin_server):
    client = standin_server.client(key="sk_live_abc123")
    with pytest.raises(stripe.AuthenticationError) as raised:
        client.v1.checkout.sessions.create(session_params())
    assert raised.value.http_status == 401
    assert "live" in str(raised.value)
    with standin_server.store.read() as tx:
        assert tx.all_of("checkout.session") == []


def test_a_key_that_is_not_a_test_key_is_refused(standin_server):
    with pytest.raises(stripe.AuthenticationError):
        standin_server.client(key="pk_test_publishable").v1.checkout.sessions.retrieve("cs_x")


def test_a_session_past_its_time_expires_on_read_and_sends_one_event(standin_server):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params())
    lapsed = standin_server.admin("POST", f"/sessions/{session.id}/lapse")
    assert lapsed.json()["status"] == "open"  # nothing happens until someone looks
    assert lapsed.json()["expires_at"] < time.time()

    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"
    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"
    assert requests.get(session.url, timeout=5).status_code == 200

    events = standin_server.events("checkout.session.expired")
    assert len(events) == 1
    assert events[0]["event"]["data"]["object"]["status"] == "expired"


def test_line_items_can_be_expanded(standin_server):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params(quantity=3))
    full = client.v1.checkout.sessions.retrieve(session.id, {"expand": ["line_items"]})
    (item,) = full.line_items.data
    assert (item.description, item.quantity, item.amount_total) == ("General admission", 3, 4500)
    assert item.price.unit_amount == 1500
    assert "_description" not in item  # the stand-in's bookkeeping stays inside

    with pytest.raises(stripe.InvalidRequestError, match="cannot be expanded"):
        client.v1.checkout.sessions.retrieve(session.id, {"expand": ["success_url"]})


def test_unknown_api_path_is_a_stripe_404(standin_server):
    response = requests.get(
        f"{standin_server.url}/v1/customers/cus_1",
        headers={"Authorization": f"Bearer {TEST_KEY}"},
        timeout=5,
    )
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert "Unrecognized request URL" in response.json()["error"]["message"]


@pytest.mark.slow
def test_mounted_under_a_prefix_the_page_url_keeps_the_prefix(tmp_path):
    """The app mounts the stand-in at /_stripe with DispatcherMiddleware."""
    standin = create_standin_app(
        {
            "STANDIN_API_KEY": TEST_KEY,
            "STANDIN_ALLOWED_ORIGIN": SHOP_ORIGIN,
            "STANDIN_DB": str(tmp_path / "s.db"),
            "STANDIN_WEBHOOK_MODE": "off",
        }
    )

    def host_app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"host app"]

    server = make_server(
        "127.0.0.1", 0, DispatcherMiddleware(host_app, {"/_stripe": standin}), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        client = stripe.StripeClient(TEST_KEY, base_addresses={"api": f"{base}/_stripe"})
        session = client.v1.checkout.sessions.create(session_params())
        assert session.url == f"{base}/_stripe/pay/{session.id}"
        page = requests.get(session.url, timeout=5)
        assert "/_stripe/static/css/standin.css" in page.text
        assert requests.get(f"{base}/_stripe/static/css/standin.css", timeout=5).ok
        paid = requests.post(
            session.url, data={"card_number": "4242424242424242"}, timeout=5, allow_redirects=False
        )
        assert paid.status_code == 303
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_public_url_setting_names_the_page(make_standin_server):
    server = make_standin_server(STANDIN_PUBLIC_URL="https://pay.example.test/_stripe/")
    session = server.client().v1.checkout.sessions.create(session_params())
    assert session.url == f"https://pay.example.test/_stripe/pay/{session.id}"
