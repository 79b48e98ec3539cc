"""The webhook answers without waiting on Stripe; a worker's task applies the event.

Here the tasks wait in a queue (Huey's in-memory one, not immediate) until
the test runs them as a worker would, so that what the webhook did alone
and what the worker did after can both be seen.
"""

import json
import threading
import time
from datetime import timedelta

import pytest
from huey import MemoryHuey
from sqlalchemy import update

from tests.orders.test_webhooks import deliver, event_id, fulfilments, kept_events
from tests.orders.test_webhooks import paid_but_undelivered as paid_undelivered
from ticketing.orders.models import Order
from ticketing.payments import gateway
from ticketing.payments.models import StripeEvent
from ticketing.tasks import stripe_events
from ticketing.tasks.jobs import JOBS
from ticketing.tasks.queue import tasks_on

SLOW_STRIPE_SECONDS = 1.5


@pytest.fixture
def worker(app):
    """The app's tasks go to a queue; `worker()` runs what is queued, in order."""
    saved = app.extensions["huey"], app.extensions["tasks"]
    huey = MemoryHuey("webhook-outbox-test", results=False)
    app.extensions["huey"] = huey
    app.extensions["tasks"] = tasks_on(huey, app, JOBS)

    def run() -> list[str]:
        ran = []
        while (task := huey.dequeue()) is not None:
            ran.append(task.name)
            huey.execute(task)
        return ran

    run.huey = huey
    yield run
    app.extensions["huey"], app.extensions["tasks"] = saved


def status_of(db, order_id: int) -> str:
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Order, order_id).status


def test_the_webhook_answers_before_slow_stripe_and_the_worker_pays_the_order(
    make_shop, db, concert, worker
):
    shop = make_shop("off")
    created, body = paid_undelivered(shop, concert, quantity=2)
    shop.standin.standin.api_delay = SLOW_STRIPE_SECONDS  # Stripe answers slowly from now
    started = time.monotonic()
    answer = deliver(shop, body)
    elapsed = time.monotonic() - started
    assert answer.status_code == 200 and answer.json() == {"status": "received"}
    assert elapsed < SLOW_STRIPE_SECONDS, elapsed  # it never asked Stripe
    assert status_of(db, created["id"]) == "pending" and fulfilments(db) == (0, 0, 0)
    assert kept_events(db)[event_id(body)]["status"] == "received"

    assert worker() == ["apply_stripe_event", "send_ticket_email"]
    assert status_of(db, created["id"]) == "paid" and fulfilments(db) == (1, 2, 2)
    kept = kept_events(db)[event_id(body)]
    assert kept["status"] == "applied" and kept["outcome"] == {"fulfilled_order_id": created["id"]}
    # Stripe sends it again: nothing more to do.
    assert deliver(shop, body).json()["status"] == "duplicate"
    assert worker() == [] and fulfilments(db) == (1, 2, 2)


def test_a_redelivery_of_an_event_not_applied_yet_tries_at_once(make_shop, db, concert, worker):
    shop = make_shop("off")
    created, body = paid_undelivered(shop, concert)
    standin_url = shop.app.config["STRIPE_API_BASE"]
    shop.app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # Stripe is down
    assert deliver(shop, body).json()["status"] == "received"
    assert worker() == ["apply_stripe_event"]
    kept = kept_events(db)[event_id(body)]
    assert kept["status"] == "received" and kept["attempts"] == 1
    shop.app.config["STRIPE_API_BASE"] = standin_url
    assert deliver(shop, body).json()["status"] == "duplicate"  # within its backoff
    assert worker() == ["apply_stripe_event", "send_ticket_email"]
    assert status_of(db, created["id"]) == "paid"
    assert kept_events(db)[event_id(body)]["attempts"] == 2


def test_two_workers_applying_one_event_apply_it_once(make_shop, db, concert, worker, app):
    shop = make_shop("off")
    created, body = paid_undelivered(shop, concert, quantity=3)
    assert deliver(shop, body).json()["status"] == "received"
    worker.huey.flush()  # its task is lost: two workers take it from the sweep at once
    row_id = db.session.execute(
        update(StripeEvent).values(due_at=None).returning(StripeEvent.id)
    ).scalar_one()
    db.session.commit()
    barrier = threading.Barrier(2)
    outcomes = []

    def apply():
        with app.app_context():
            barrier.wait()
            outcomes.append(stripe_events.apply_stripe_event(row_id))

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["applied", "skipped"]
    assert fulfilments(db) == (1, 3, 2) and status_of(db, created["id"]) == "paid"
    assert kept_events(db)[event_id(body)]["attempts"] == 1


def test_a_worker_whose_lease_lapsed_applies_nothing_after_its_successor(
    make_shop, db, concert, worker, app
):
    """A slow worker's claim lapses, another applies the event; the first's
    transaction then finds it applied and changes nothing."""
    shop = make_shop("off")
    created, body = paid_undelivered(shop, concert, quantity=2)
    deliver(shop, body)
    worker.huey.flush()
    row_id = db.session.execute(
        update(StripeEvent).values(due_at=None).returning(StripeEvent.id)
    ).scalar_one()
    db.session.commit()
    with app.app_context():
        from ticketing.database import utcnow
        from ticketing.extensions import db as app_db
        from ticketing.orders import stripe_inbox, webhooks

        attempt, payload = stripe_inbox.claim(row_id, utcnow())
        app_db.session.commit()
        event = gateway.event_from_payload(payload)
        fresh = webhooks.fetch_object(event)  # ... and then it stalls
        app_db.session.execute(
            update(StripeEvent).values(claimed_at=utcnow() - stripe_inbox.LEASE * 2)
        )
        app_db.session.commit()
    assert worker() == []  # nothing queued; the sweep finds the lapsed lease
    with app.app_context():
        assert stripe_events.apply_stripe_event(row_id) == "applied"
        assert stripe_events._applied(row_id, attempt, event, fresh) == "skipped"
    assert fulfilments(db) == (1, 2, 2) and status_of(db, created["id"]) == "paid"
    assert json.loads(body)["id"] in kept_events(db)


def test_a_kept_event_whose_task_was_lost_is_applied_by_the_sweep(
    make_shop, db, concert, worker, app
):
    from ticketing.database import utcnow
    from ticketing.tasks import jobs

    shop = make_shop("off")
    created, body = paid_undelivered(shop, concert)
    assert deliver(shop, body).json()["status"] == "received"
    worker.huey.flush()  # the broker lost its task
    db.session.commit()
    with app.app_context():
        assert jobs.sweep()["stripe_events"] == 0  # its own task may still be on its way
    db.session.execute(update(StripeEvent).values(due_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    with app.app_context():
        assert jobs.sweep()["stripe_events"] == 1
    assert worker() == ["apply_stripe_event", "send_ticket_email"]
    assert status_of(db, created["id"]) == "paid" and fulfilments(db) == (1, 2, 2)
    db.session.commit()  # on SQLite the test's read transaction holds the write lock
    with app.app_context():
        assert jobs.sweep()["stripe_events"] == 0
