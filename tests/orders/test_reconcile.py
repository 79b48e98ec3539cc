"""Issue 12 item 9: `flask reconcile-stripe` repairs what the webhooks missed, once."""

import pytest

from tests.orders.stripe_world import admin, deliver, event_body, intent_of, state
from tests.support import factories as f
from tests.support.standin_params import session_params


@pytest.fixture
def organizer(db, org):
    token = f.token(org, "organizer")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def buy_and_pay(shop, concert, quantity=1, card="4242424242424242") -> dict:
    tier = concert.ticket_types[0]
    created = shop.buy(concert.id, [{"ticket_type_id": tier.id, "quantity": quantity}]).json()
    assert shop.pay(created, card).json()["outcome"] == "paid"
    return created


def reconcile(shop, runner, *args):
    shop.release()
    result = runner.invoke(args=["reconcile-stripe", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_reconcile_repairs_what_the_webhooks_missed_and_only_once(
    make_shop, db, concert, runner, organizer
):
    shop = make_shop("off")  # every webhook "failed": the app hears nothing by itself
    missed = [buy_and_pay(shop, concert, quantity) for quantity in (1, 2)]
    dashboard = buy_and_pay(shop, concert, 3)
    deliver(shop, event_body(shop, "checkout.session.completed"))  # this one was heard
    failing = buy_and_pay(shop, concert, 1, card="4000000000007726")
    deliver(shop, event_body(shop, "checkout.session.completed"))
    others = shop.standin.client().v1.checkout.sessions.create(
        session_params(order_id="1", shop_url=shop.url)
    )
    shop.standin.pay(others.id)  # another app's payment on the same account

    # A refund made in Stripe's dashboard; a pending refund that then failed.
    shop.release()
    shop.standin.client().v1.refunds.create(
        {"payment_intent": intent_of(shop, dashboard), "amount": 2500}
    )
    refund = shop.api("POST", f"/api/v1/orders/{failing['id']}/refund", json={}, headers=organizer)
    assert refund.status_code == 200, refund.text
    refund_id = shop.standin.events("refund.created")[0]["event"]["data"]["object"]["id"]
    admin(shop, f"/refunds/{refund_id}/settle", {"status": "failed"})
    assert state(db, missed[0]["id"])["status"] == "pending"
    assert state(db, dashboard["id"])["refunded_minor"] == 0
    assert state(db, failing["id"])["refunds"] == [("pending", 2500)]

    output = reconcile(shop, runner, "--since", "1")
    for created in missed:
        assert f"fulfilled order {created['id']}" in output
    assert f"order {dashboard['id']}: 1 refund" in output
    assert f"order {failing['id']}: 1 refund" in output
    assert output.strip().endswith("4 repaired.")

    for created, tickets in zip(missed, (1, 2), strict=True):
        assert state(db, created["id"])["tickets"] == ["valid"] * tickets
    assert state(db, dashboard["id"])["status"] == "partially_refunded"
    assert ("refund", 2500) in state(db, dashboard["id"])["ledger"]
    after = state(db, failing["id"])
    assert after["refunds"] == [("failed", 2500)] and after["status"] == "paid"
    # Another app's session named order 1: that order was paid by its own session only.
    assert missed[0]["id"] == 1 and state(db, 1)["payment"] == ("succeeded", 2500)

    again = reconcile(shop, runner)  # default window: 72 hours
    assert len(again.strip().splitlines()) == 1 and again.strip().endswith("0 repaired.")


def test_reconcile_refuses_a_window_that_is_not_positive(runner):
    result = runner.invoke(args=["reconcile-stripe", "--since", "0"])
    assert result.exit_code != 0 and "--since" in result.output
