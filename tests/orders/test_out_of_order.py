"""Issue 12 item 4: refunds and disputes that reach us before the payment.

Stripe does not order its events. A charge.refunded processed before
checkout.session.completed must not be marked handled and lost: the app
keeps it unapplied (payment_not_recorded) and applies it once the payment is
recorded, and fulfilment itself reads the charge's refunds and disputes when
it re-reads the session.
"""

from tests.orders.stripe_world import admin, deliver, event_body, intent_of, state
from tests.orders.test_webhooks import event_id, kept_events

DISPUTING_CARD = "4000000000000259"


def bought(shop, concert, quantity=2, card="4242424242424242") -> dict:
    tier = concert.ticket_types[0]
    created = shop.buy(concert.id, [{"ticket_type_id": tier.id, "quantity": quantity}]).json()
    assert shop.pay(created, card).json()["outcome"] == "paid"
    return created


def refund_at_stripe(shop, created, amount=None) -> None:
    """A refund made in Stripe's dashboard (straight through the API), not by the app."""
    params = {"payment_intent": intent_of(shop, created)}
    if amount:
        params["amount"] = amount
    shop.standin.client().v1.refunds.create(params)


def test_a_partial_refund_before_the_payment_is_applied_after_it(make_shop, db, concert):
    shop = make_shop("off")
    created = bought(shop, concert)  # 2 x 2500
    refund_at_stripe(shop, created, 1000)

    early = deliver(shop, event_body(shop, "charge.refunded"))
    assert early.status_code == 200 and early.json()["status"] == "received"
    early_refund = deliver(shop, event_body(shop, "refund.created"))
    assert early_refund.status_code == 200
    waiting = [(k["status"], k["error"]) for k in kept_events(db).values()]
    assert waiting == [("received", "payment_not_recorded")] * 2  # nothing marked handled

    assert deliver(shop, event_body(shop, "checkout.session.completed")).status_code == 200
    # Once the payment is recorded, the two waiting events are applied too.
    assert [k["status"] for k in kept_events(db).values()] == ["applied"] * 3
    after = state(db, created["id"])
    assert after["status"] == "partially_refunded" and after["refunded_minor"] == 1000
    assert after["refunds"] == [("succeeded", 1000)]
    assert ("refund", 1000) in after["ledger"] and after["tickets"] == ["valid", "valid"]

    # Stripe's retries now apply nothing twice.
    for kind in ("charge.refunded", "refund.created"):
        again = deliver(shop, event_body(shop, kind))
        assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert state(db, created["id"]) == after


def test_a_full_refund_before_the_payment_revokes_the_tickets(make_shop, db, concert):
    shop = make_shop("off")
    created = bought(shop, concert, quantity=3)
    refund_at_stripe(shop, created)
    early = event_body(shop, "charge.refunded")
    assert deliver(shop, early).status_code == 200
    assert kept_events(db)[event_id(early)]["error"] == "payment_not_recorded"
    deliver(shop, event_body(shop, "checkout.session.completed"))
    after = state(db, created["id"])
    assert after["status"] == "refunded" and after["refunded_minor"] == 7500
    assert after["tickets"] == ["revoked"] * 3
    assert after["ledger"].count(("refund", 7500)) == 1


def test_a_dispute_before_the_payment_is_flagged_and_a_lost_one_takes_the_money(
    make_shop, db, concert
):
    shop = make_shop("off")
    created = bought(shop, concert, card=DISPUTING_CARD)
    early = event_body(shop, "charge.dispute.created")
    assert deliver(shop, early).status_code == 200
    assert kept_events(db)[event_id(early)]["status"] == "received"
    deliver(shop, event_body(shop, "checkout.session.completed"))
    flagged = state(db, created["id"])
    assert flagged["status"] == "paid" and flagged["payment"][0] == "disputed"
    assert "Dispute opened" in flagged["attention"]
    assert deliver(shop, event_body(shop, "charge.dispute.created")).status_code == 200
    assert state(db, created["id"])["attention"].count("Dispute opened") == 1

    dispute_id = shop.standin.events("charge.dispute.created")[0]["event"]["data"]["object"]["id"]
    admin(shop, f"/disputes/{dispute_id}/close", {"outcome": "lost"})
    closed = deliver(shop, event_body(shop, "charge.dispute.closed"))
    assert closed.status_code == 200, closed.text
    lost = state(db, created["id"])
    assert lost["status"] == "refunded" and lost["tickets"] == ["revoked", "revoked"]
    assert ("refund", 5000) in lost["ledger"] and "Dispute lost" in lost["attention"]


def test_a_dispute_won_clears_the_flag(make_shop, db, concert):
    shop = make_shop("sync")
    created = bought(shop, concert, card=DISPUTING_CARD)
    assert state(db, created["id"])["payment"][0] == "disputed"
    dispute_id = shop.standin.events("charge.dispute.created")[0]["event"]["data"]["object"]["id"]
    admin(shop, f"/disputes/{dispute_id}/close", {"outcome": "won"})
    won = state(db, created["id"])
    assert won["payment"] == ("succeeded", 5000) and won["status"] == "paid"
    assert "Dispute won" in won["attention"] and won["tickets"] == ["valid", "valid"]


def test_another_apps_refund_is_acknowledged_not_refused_forever(make_shop, db, concert):
    """Waiting for a payment is only for our own; another app's would wait for ever."""
    from tests.support.standin_params import session_params

    shop = make_shop("off")
    client = shop.standin.client()
    others = client.v1.checkout.sessions.create(session_params(order_id="1", shop_url=shop.url))
    shop.standin.pay(others.id)
    intent = client.v1.checkout.sessions.retrieve(others.id).payment_intent
    client.v1.refunds.create({"payment_intent": intent})
    for kind in ("charge.refunded", "refund.created"):
        body = event_body(shop, kind)
        answer = deliver(shop, body)
        assert answer.status_code == 200 and answer.json()["status"] == "received", answer.text
        kept = kept_events(db)[event_id(body)]
        assert kept["status"] == "applied" and kept["outcome"] == {
            "ignored": "not a payment of ours"
        }
