"""The Stripe webhook: signatures, duplicates, races, and events out of order."""

import json
import threading
import time

import requests
import stripe
from sqlalchemy import select, update

from tests.support.orders import count
from ticketing.orders.models import Order
from ticketing.payments.models import LedgerEntry, Payment, StripeEvent
from ticketing.tickets.models import Ticket

SECRET = "whsec_test_secret"


def signed(body: str, secret: str = SECRET, timestamp: int | None = None) -> dict:
    header = stripe.WebhookSignature.generate_signature_header(
        body, secret, timestamp=timestamp or int(time.time())
    )
    return {"Stripe-Signature": header, "Content-Type": "application/json"}


def deliver(shop, body: str, **kwargs):
    shop.release()
    headers = signed(body, **kwargs)
    return requests.post(
        shop.url + "/webhooks/stripe", data=body.encode(), headers=headers, timeout=30
    )


def paid_but_undelivered(shop, concert, quantity=2):
    """An order paid at the stand-in whose webhook has not been delivered."""
    tier = concert.ticket_types[0]
    created = shop.buy(concert.id, [{"ticket_type_id": tier.id, "quantity": quantity}]).json()
    assert shop.pay(created).json()["outcome"] == "paid"
    completed = shop.standin.events("checkout.session.completed")[0]["event"]
    return created, json.dumps(completed)


def fulfilments(db) -> tuple[int, int, int]:
    return count(db, Payment), count(db, Ticket), count(db, LedgerEntry)


def kept_events(db) -> dict[str, dict]:
    """What the app kept of each Stripe event (read in a fresh transaction): its
    status, tries, last error and what applying it did."""
    db.session.commit()
    db.session.expire_all()
    rows = db.session.execute(select(StripeEvent).order_by(StripeEvent.id)).scalars()
    kept = {
        row.stripe_event_id: {
            "status": row.status,
            "attempts": row.attempts,
            "error": row.last_error,
            "outcome": json.loads(row.outcome) if row.outcome else None,
        }
        for row in rows
    }
    db.session.commit()
    return kept


def event_id(body: str) -> str:
    return json.loads(body)["id"]


def test_bad_signature_is_400_and_changes_nothing(make_shop, db, concert):
    shop = make_shop("off")
    created, body = paid_but_undelivered(shop, concert)
    forged = deliver(shop, body, secret="whsec_wrong")
    assert forged.status_code == 400 and forged.json()["code"] == "bad_signature"
    shop.release()
    tampered = body.replace('"paid"', '"paid" ', 1)
    response = requests.post(
        shop.url + "/webhooks/stripe", data=tampered, headers=signed(body), timeout=30
    )
    assert response.status_code == 400
    missing = requests.post(shop.url + "/webhooks/stripe", data=body, timeout=30)
    assert missing.status_code == 400
    assert fulfilments(db) == (0, 0, 0) and count(db, StripeEvent) == 0
    assert db.session.get(Order, created["id"]).status == "pending"


def test_stale_timestamp_is_400(make_shop, db, concert):
    shop = make_shop("off")
    _, body = paid_but_undelivered(shop, concert)
    stale = deliver(shop, body, timestamp=int(time.time()) - 3600)
    assert stale.status_code == 400
    assert fulfilments(db) == (0, 0, 0)


def test_same_event_five_times_fulfils_once(make_shop, db, concert):
    shop = make_shop("off")
    created, body = paid_but_undelivered(shop, concert, quantity=2)
    answers = [deliver(shop, body) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert [a.json()["status"] for a in answers] == ["received"] + ["duplicate"] * 4
    kept = kept_events(db)[event_id(body)]
    assert kept["status"] == "applied" and kept["attempts"] == 1
    assert kept["outcome"] == {"fulfilled_order_id": created["id"]}
    assert fulfilments(db) == (1, 2, 2)  # one payment, two tickets, ticket sale + fee
    assert db.session.get(Order, created["id"]).status == "paid"


def test_racing_deliveries_fulfil_once(make_shop, db, concert):
    shop = make_shop("off")
    created, body = paid_but_undelivered(shop, concert, quantity=3)
    twin = json.loads(body)
    twin["id"] += "_async"  # a different event for the same session, as Stripe may send
    twin["type"] = "checkout.session.async_payment_succeeded"
    bodies = [body, body, json.dumps(twin), json.dumps(twin)]
    barrier = threading.Barrier(len(bodies))
    answers = []

    def send(payload):
        headers = signed(payload)
        barrier.wait()
        answers.append(
            requests.post(
                shop.url + "/webhooks/stripe", data=payload.encode(), headers=headers, timeout=30
            )
        )

    shop.release()
    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200] * 4
    assert sorted(a.json()["status"] for a in answers) == ["duplicate"] * 2 + ["received"] * 2
    assert fulfilments(db) == (1, 3, 2)
    kept = kept_events(db)
    assert [k["status"] for k in kept.values()] == ["applied", "applied"]
    fulfilled = [(k["outcome"] or {}).get("fulfilled_order_id") for k in kept.values()]
    assert fulfilled.count(created["id"]) == 1


def test_expired_after_completed_changes_nothing(shop, db, concert):
    created, _ = paid_but_undelivered(shop, concert)
    assert db.session.get(Order, created["id"]).status == "paid"
    event = shop.standin.events("checkout.session.completed")[0]["event"]
    event.update(id="evt_expired_late", type="checkout.session.expired")
    answer = deliver(shop, json.dumps(event))
    assert answer.status_code == 200 and answer.json()["status"] == "received"
    outcome = kept_events(db)["evt_expired_late"]["outcome"]
    assert not outcome.get("released") and not outcome.get("fulfilled_order_id")
    db.session.expire_all()
    assert db.session.get(Order, created["id"]).status == "paid"
    assert count(db, Ticket) == 2


def test_unknown_session_is_acknowledged_and_ignored(shop, db):
    event = {
        "id": "evt_unknown",
        "object": "event",
        "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_test_nobody", "object": "checkout.session"}},
    }
    answer = deliver(shop, json.dumps(event))
    assert answer.status_code == 200 and answer.json()["status"] == "received"
    kept = kept_events(db)["evt_unknown"]
    assert kept["status"] == "applied" and kept["outcome"] == {
        "ignored": "object unknown to Stripe"
    }
    assert count(db, Order) == count(db, Payment) == count(db, LedgerEntry) == 0


def test_events_we_do_not_need_are_acknowledged(shop, db):
    event = {
        "id": "evt_other",
        "object": "event",
        "type": "customer.created",
        "data": {"object": {"id": "cus_1", "object": "customer"}},
    }
    answer = deliver(shop, json.dumps(event))
    assert answer.status_code == 200 and answer.json()["status"] == "ignored"


def test_expired_session_releases_the_hold(shop, db, org):
    from tests.support import factories as f

    event = f.event(org)
    tier = f.tier(event, capacity=2)
    db.session.commit()
    created = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 2}]).json()
    assert shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 1}]).status_code == 409
    shop.release()
    shop.standin.client().v1.checkout.sessions.expire(shop.session_id(created))
    db.session.expire_all()
    assert db.session.execute(select(Order.status).where(Order.id == created["id"])).scalar() == (
        "expired"
    )
    assert shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 2}]).status_code == 201


def test_stripe_unreachable_keeps_the_event_and_the_sweep_applies_it_once(
    make_shop, db, concert, outbox
):
    from ticketing.tasks import jobs

    shop = make_shop("off")
    created, body = paid_but_undelivered(shop, concert)
    standin_url = shop.app.config["STRIPE_API_BASE"]
    shop.app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # Stripe is down
    down = deliver(shop, body)
    assert down.status_code == 200 and down.json()["status"] == "received"
    kept = kept_events(db)[event_id(body)]
    assert kept["status"] == "received" and kept["attempts"] == 1
    assert "APIConnectionError" in kept["error"]
    assert db.session.get(Order, created["id"]).status == "pending"
    db.session.commit()
    with shop.app.app_context():
        assert jobs.sweep()["stripe_events"] == 0  # its backoff has not passed
    shop.app.config["STRIPE_API_BASE"] = standin_url
    db.session.execute(update(StripeEvent).values(due_at=None))
    db.session.commit()
    with shop.app.app_context():
        assert jobs.sweep()["stripe_events"] == 1  # the task ran (immediate mode)
        assert jobs.sweep()["stripe_events"] == 0
    kept = kept_events(db)[event_id(body)]
    assert kept["status"] == "applied" and kept["attempts"] == 2 and kept["error"] is None
    assert db.session.get(Order, created["id"]).status == "paid"
    assert fulfilments(db) == (1, 2, 2)
    db.session.commit()
    assert deliver(shop, body).json()["status"] == "duplicate"
    assert fulfilments(db) == (1, 2, 2)
    assert len(list(outbox.glob(f"{created['id']}-*.eml"))) == 1  # one ticket email
