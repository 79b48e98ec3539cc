"""Stripe's form encoding, and junk the SDK can be made to send: always a 4xx, never a 5xx."""

import pytest
import stripe
from werkzeug.datastructures import MultiDict

from standin.errors import StripeFailure
from standin.params import parse
from tests.support.standin_params import session_params


def test_nested_keys_become_dicts_and_lists():
    form = MultiDict(
        [
            ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][quantity]", "2"),
            ("line_items[1][quantity]", "1"),
            ("metadata[order_id]", "7"),
            ("expand[]", "payment_intent"),
            ("expand[]", "line_items"),
            ("mode", "payment"),
        ]
    )
    assert parse(form) == {
        "line_items": [{"price_data": {"currency": "usd"}, "quantity": "2"}, {"quantity": "1"}],
        "metadata": {"order_id": "7"},
        "expand": ["payment_intent", "line_items"],
        "mode": "payment",
    }


@pytest.mark.parametrize(
    "pairs",
    [
        [("a]", "1")],
        [("a[b]", "1"), ("a[b][c]", "2")],
        [("a[b][c]", "2"), ("a[b]", "1")],
        [("a[99999999]", "1")],
        [("a[][b]", "1")],
    ],
)
def test_malformed_keys_are_refused(pairs):
    with pytest.raises(StripeFailure):
        parse(MultiDict(pairs))


@pytest.mark.parametrize(
    "params",
    [
        {"line_items": "abc", "mode": "payment", "success_url": "http://x"},
        {"line_items": ["abc"], "mode": "payment", "success_url": "http://x"},
        {"line_items": [{"price_data": "x", "quantity": 1}], "mode": "payment"},
        {**session_params(), "metadata": "abc"},
        {**session_params(), "metadata": {str(i): "v" for i in range(51)}},
        {**session_params(), "expires_at": "soon"},
        {**session_params(), "expand": {"a": "b"}},
        {**session_params(), "payment_intent_data": "x"},
        {**session_params(), "mode": "subscription"},
        {**session_params(), "line_items": [{"price": "price_123", "quantity": 1}]},
        {"mode": ["payment"]},
    ],
)
def test_junk_session_parameters_are_a_400(standin_server, params):
    client = standin_server.client()
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.raw_request("post", "/v1/checkout/sessions", **params)
    assert raised.value.http_status == 400
    assert raised.value.json_body["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    "params",
    [
        {"payment_intent": {"x": "y"}},
        {"charge": "ch_1", "amount": "lots"},
        {"payment_intent": "pi_1", "reason": "bored"},
    ],
)
def test_junk_refund_parameters_are_a_4xx(standin_server, params):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        standin_server.client().raw_request("post", "/v1/refunds", **params)
    assert raised.value.http_status in (400, 404)


def test_a_refused_request_does_not_use_up_its_idempotency_key(standin_server):
    """As at Stripe: only requests that ran are remembered."""
    client = standin_server.client()
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.create(
            session_params(currency="xyz"), options={"idempotency_key": "order-9"}
        )
    session = client.v1.checkout.sessions.create(
        session_params(), options={"idempotency_key": "order-9"}
    )
    assert session.status == "open"


def test_events_can_be_read_back_through_the_api(standin_server):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params())
    client.v1.checkout.sessions.expire(session.id)
    (summary,) = standin_server.events("checkout.session.expired")
    event = client.v1.events.retrieve(summary["id"])
    assert (event.type, event.data.object.id) == ("checkout.session.expired", session.id)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.events.retrieve("evt_missing")


def test_list_sessions_and_line_items(standin_server):
    client = standin_server.client()
    first = client.v1.checkout.sessions.create(session_params(order_id="1"))
    second = client.v1.checkout.sessions.create(session_params(order_id="2"))
    listed = client.v1.checkout.sessions.list({"limit": 1})
    assert [s.id for s in listed.data] == [second.id] and listed.has_more is True
    items = client.v1.checkout.sessions.line_items.list(first.id)
    assert [i.quantity for i in items.data] == [2]
