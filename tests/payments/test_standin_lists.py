"""The stand-in's list endpoints page as Stripe's do, through the SDK's auto-paging."""

import time

from tests.support.standin_params import session_params


def test_sessions_page_newest_first_with_starting_after(standin_server):
    client = standin_server.client()
    made = [
        client.v1.checkout.sessions.create(session_params(order_id=str(n))).id for n in range(5)
    ]
    first = client.v1.checkout.sessions.list({"limit": 2})
    assert [s.id for s in first.data] == made[::-1][:2] and first.has_more
    walked = [s.id for s in client.v1.checkout.sessions.list({"limit": 2}).auto_paging_iter()]
    assert walked == made[::-1]
    after = client.v1.checkout.sessions.list({"limit": 10, "starting_after": made[2]})
    assert [s.id for s in after.data] == [made[1], made[0]] and not after.has_more


def test_created_bounds_filter_sessions_charges_and_refunds(standin_server):
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params())
    standin_server.pay(session.id)
    intent = client.v1.checkout.sessions.retrieve(session.id).payment_intent
    client.v1.refunds.create({"payment_intent": intent, "amount": 100})
    now = int(time.time())
    for resource in (client.v1.checkout.sessions, client.v1.charges, client.v1.refunds):
        recent = resource.list({"created": {"gte": now - 60}, "limit": 100}).data
        assert len(recent) == 1
        assert resource.list({"created": {"gte": now + 60}}).data == []
    charges = client.v1.charges.list({"payment_intent": intent}).data
    assert [c.payment_intent for c in charges] == [intent]


def test_an_unknown_starting_after_is_a_404(standin_server):
    import pytest
    import stripe

    with pytest.raises(stripe.InvalidRequestError) as raised:
        standin_server.client().v1.refunds.list({"starting_after": "re_nope"})
    assert raised.value.http_status == 404
