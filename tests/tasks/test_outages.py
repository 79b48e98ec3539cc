"""Issue 15: outages off the request path. The broker stops during a sale and
nothing is lost; SMTP hangs and the webhook still answers at once."""

import shutil
import subprocess
import time

import pytest
import redis

from tests.support import factories as f
from tests.support.servers import free_port, wait_for
from tests.support.shop import close_shop, open_shop
from tests.tasks.test_worker import all_sent, announce, orders_of, paid_orders, statuses
from ticketing.orders.models import Order

pytestmark = pytest.mark.slow


def start_redis(port: int, folder) -> subprocess.Popen:
    """A redis-server of our own (no persistence: a restart has an empty queue)."""
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(port=port, socket_connect_timeout=0.5)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return process
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")
    finally:
        client.close()


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
@pytest.mark.parametrize("broker", ["redis"], indirect=True)
def test_broker_stopped_during_a_sale_loses_nothing(
    db, make_app, workers, smtp, tmp_path, worker_settings
):
    inbox, smtp_port = smtp
    port = free_port()
    server = start_redis(port, tmp_path)
    url = f"redis://127.0.0.1:{port}/0"
    app = make_app(
        TASKS_IMMEDIATE=False, REDIS_URL=url, TASK_QUEUE_NAME=worker_settings["TASK_QUEUE_NAME"]
    )
    try:
        workers.start(REDIS_URL=url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port)
        before = paid_orders(db, 3)
        assert announce(app, before) == [True] * 3
        wait_for(all_sent(db, before), db, seconds=30)

        stop(server)  # the broker goes away mid-sale
        during = paid_orders(db, 4)
        started = time.monotonic()
        assert announce(app, during) == [False] * 4  # logged, the payment stands
        assert time.monotonic() - started < 5
        time.sleep(1.5)
        assert set(statuses(db, during).values()) == {"pending"}

        server = start_redis(port, tmp_path)  # back, and empty
        wait_for(all_sent(db, before + during), db, seconds=40)  # the sweep found them
        time.sleep(2)
    finally:
        stop(server)
        app.extensions["huey"].storage.conn.connection_pool.disconnect()
    assert orders_of(inbox) == sorted(before + during)


@pytest.mark.parametrize("broker", ["redis"], indirect=True)
def test_webhook_answers_without_waiting_for_smtp(
    db, queue_app, workers, smtp, hanging_smtp, tmp_path
):
    inbox, smtp_port = smtp
    queue_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=hanging_smtp.port, MAIL_TIMEOUT=30)
    with queue_app.app_context():
        event = f.event(f.organization(), published=True)
        tier = f.tier(event, price_minor=2500, capacity=50)
        db.session.commit()
        event_id, tier_id = event.id, tier.id
    shop = open_shop(queue_app, db, str(tmp_path / "standin.db"))
    try:
        created = [
            shop.buy(event_id, [{"ticket_type_id": tier_id, "quantity": 1}],
                     email=f"buyer{n}@example.test").json()
            for n in range(4)
        ]  # fmt: skip
        timings = []
        for order in created:
            started = time.monotonic()
            assert shop.pay(order).status_code == 200  # the webhook is delivered inside
            timings.append(time.monotonic() - started)
        events = shop.standin.events("checkout.session.completed")
        assert [e["delivery"]["last_http_status"] for e in events] == [200] * 4
        assert max(timings) < 3, timings  # SMTP hangs for 30 s; nobody waited on it
        ids = [order["id"] for order in created]
        # The webhooks only kept their events: a worker applies them (pays
        # the orders) and, with a working mail server, sends each email once.
        assert set(statuses(db, ids).values()) == {"none"}
        workers.start(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port, STRIPE_API_BASE=shop.standin.url
        )
        wait_for(all_sent(db, ids), db, seconds=30)
    finally:
        close_shop(shop)
    assert orders_of(inbox) == sorted(ids)


@pytest.mark.parametrize("broker", ["redis"], indirect=True)
def test_a_hanging_mail_server_leaves_the_worker_free_for_payments(
    db, queue_app, workers, smtp, hanging_smtp, tmp_path
):
    """SMTP hangs: the ticket emails wait, but paid orders are still fulfilled at once.

    Production's worker has two threads. Without a limit on the sends waiting
    on SMTP, two owed emails take both for MAIL_TIMEOUT, and every payment the
    webhooks keep meanwhile waits behind them (seen in the mixed rush: 16-20 s).
    Then the mail works again: the emails that found no slot free go out with
    the rest, each once.
    """
    inbox, smtp_port = smtp
    with queue_app.app_context():
        event = f.event(f.organization(), published=True)
        tier = f.tier(event, price_minor=2500, capacity=50)
        db.session.commit()
        event_id, tier_id = event.id, tier.id
    owed = paid_orders(db, 2)
    shop = open_shop(queue_app, db, str(tmp_path / "standin.db"))
    try:
        workers.start(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=hanging_smtp.port, MAIL_TIMEOUT=60,
            WORKER_THREADS=2, STRIPE_API_BASE=shop.standin.url,
        )  # fmt: skip
        assert announce(queue_app, owed) == [True] * 2
        wait_for(lambda: hanging_smtp.held, db, seconds=30)
        time.sleep(1.5)  # long enough for the second email to reach SMTP too
        created = [
            shop.buy(event_id, [{"ticket_type_id": tier_id, "quantity": 1}],
                     email=f"late{n}@example.test").json()
            for n in range(3)
        ]  # fmt: skip
        for order in created:
            assert shop.pay(order).status_code == 200  # the webhook keeps the event
        ids = [order["id"] for order in created]
        wait_for(lambda: set(statuses(db, ids, Order.status).values()) == {"paid"}, db, seconds=10)
        assert len(hanging_smtp.held) == 1  # one thread waits on SMTP, not both

        hanging_smtp.close()  # the send in hand fails, and the worker stops
        workers.stop_all()
        workers.start(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port)  # a mail server that works
        wait_for(all_sent(db, owed + ids), db, seconds=40)  # the sweep found them all
        time.sleep(2)  # more sweeps: nothing goes out twice
    finally:
        close_shop(shop)
    assert orders_of(inbox) == sorted(owed + ids)
