"""Issue 15: a real worker process on a real queue sends every ticket email once.

Each test runs on Redis and on the embedded SQLite queue (the `broker`
fixture), against the test database (SQLite or PostgreSQL), with a real SMTP
server. Emails are counted by Message-ID, which names the order.
"""

import re
import signal
import subprocess
import sys
import time

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.support.mail import Inbox
from tests.support.servers import free_port, wait_for
from tests.support.tickets import build_paid_order
from tests.tasks.conftest import ROOT
from ticketing.orders.models import Order
from ticketing.orders.signals import order_paid

pytestmark = pytest.mark.slow


def paid_orders(db, count: int) -> list[int]:
    return [build_paid_order(db, quantities=(1,)).order_id for _ in range(count)]


def announce(app, order_ids) -> list:
    """What the webhook does after its commit: the payment signal (the task is enqueued)."""
    with app.app_context():
        return [order_paid.send(app, order_id=order_id)[0][1] for order_id in order_ids]


def orders_of(inbox: Inbox) -> list[int]:
    """The order of each message received, from its Message-ID."""
    found = []
    for _recipients, message in inbox.messages:
        match = re.match(r"<tickets-(\d+)\.\d+@", message["Message-ID"])
        assert match, message["Message-ID"]
        found.append(int(match.group(1)))
    return sorted(found)


def statuses(db, order_ids, column=Order.email_status) -> dict[int, str]:
    """Each order's email status (or the `column` asked for)."""
    rows = db.session.execute(select(Order.id, column).where(Order.id.in_(order_ids)))
    result = dict(rows.all())
    db.session.rollback()
    return result


def all_sent(db, order_ids):
    return lambda: set(statuses(db, order_ids).values()) == {"sent"}


def test_smtp_down_then_up_every_email_once(db, queue_app, workers):
    port = free_port()  # nothing listens yet: SMTP is down
    workers.start(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, EMAIL_MAX_ATTEMPTS=50)
    ids = paid_orders(db, 6)
    assert announce(queue_app, ids) == [True] * 6
    wait_for(lambda: set(statuses(db, ids).values()) == {"failed"}, db, seconds=30)

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()  # SMTP comes up: the retries (backoff) send everything
    try:
        wait_for(all_sent(db, ids), db, seconds=30)
        time.sleep(2.5)  # more sweeps and retries: nothing goes out twice
    finally:
        controller.stop()
    assert orders_of(inbox) == sorted(ids)
    for order in db.session.execute(select(Order).where(Order.id.in_(ids))).scalars():
        assert order.email_attempts >= 2 and order.email_error == ""


def test_two_workers_racing_one_queue_send_each_email_once(db, queue_app, workers, smtp):
    inbox, port = smtp
    ids = paid_orders(db, 16)
    # Both workers find the same emails: announced twice, and swept every second.
    assert announce(queue_app, ids + ids) == [True] * 32
    for _ in range(2):
        workers.start(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, WORKER_THREADS=3)
    wait_for(all_sent(db, ids), db, seconds=60)
    time.sleep(2.5)
    assert orders_of(inbox) == sorted(ids)


def test_worker_killed_mid_send_another_sends_it_once(db, queue_app, workers, smtp, hanging_smtp):
    inbox, port = smtp
    (order_id,) = paid_orders(db, 1)
    first = workers.start(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=hanging_smtp.port, MAIL_TIMEOUT=120,
        EMAIL_LEASE_SECONDS=3,
    )  # fmt: skip
    announce(queue_app, [order_id])
    claimed = select(Order.email_claimed_at).where(Order.id == order_id)
    wait_for(lambda: db.session.execute(claimed).scalar() is not None, db, seconds=30)
    wait_for(lambda: hanging_smtp.held, db)
    first.send_signal(signal.SIGKILL)  # mid-send: its claim stays on the row
    first.wait(timeout=10)

    # Once the lease has passed; and the queue mark of a copy the killed worker took
    # but never started (its sweep may have queued one) once that has (queue.py).
    workers.start(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=port, EMAIL_LEASE_SECONDS=3, TASK_MARK_SECONDS=3
    )
    wait_for(all_sent(db, [order_id]), db, seconds=30)
    time.sleep(2)
    assert orders_of(inbox) == [order_id]
    order = db.session.get(Order, order_id)
    assert order.email_attempts == 2 and order.email_claimed_at is None


class SlowInbox(Inbox):
    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        import asyncio

        await asyncio.sleep(2)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_graceful_shutdown_finishes_the_send_in_hand(db, queue_app, workers, stop):
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        (order_id,) = paid_orders(db, 1)
        worker = workers.start(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
        announce(queue_app, [order_id])
        claimed = select(Order.email_claimed_at).where(Order.id == order_id)
        wait_for(lambda: db.session.execute(claimed).scalar() is not None, db, seconds=30)
        worker.send_signal(stop)
        assert worker.wait(timeout=20) == 0
    finally:
        controller.stop()
    assert orders_of(inbox) == [order_id]
    assert statuses(db, [order_id]) == {order_id: "sent"}
    assert "finishing" in workers.output() or "gracefully" in workers.output()


def test_readyz_says_whether_the_worker_is_alive(db, queue_app, workers, smtp):
    client = queue_app.test_client()
    before = client.get("/readyz")
    assert before.status_code == 503 and before.json["worker"]["alive"] is False
    workers.start(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp[1])

    def ready():
        answer = client.get("/readyz")
        return answer.status_code == 200 and answer.json["worker"]["alive"]

    wait_for(ready, db, seconds=30)
    body = client.get("/readyz").json
    assert body["status"] == "ok" and body["broker"] == "ok" and "pending" in body["queue"]
    assert client.get("/healthz").json == {"status": "ok"}


@pytest.mark.parametrize("broker", ["sqlite"], indirect=True)  # no worker: no queue used
def test_overlapping_send_pending_emails_runs_send_each_email_once(db, worker_settings):
    inbox = SlowInbox.__new__(SlowInbox)
    Inbox.__init__(inbox)
    inbox.handle_DATA = _quick_data(inbox)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    ids = paid_orders(db, 12)
    env = {**worker_settings, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(controller.port)}
    import os

    env = {**os.environ, **env}
    env.pop("TEST_DATABASE_URL", None)
    command = [sys.executable, "-m", "flask", "--app", "app", "send-pending-emails"]
    try:
        runs = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
    finally:
        controller.stop()
    assert all(run.returncode == 0 for run in runs), outputs
    sent = [int(re.search(r"(\d+) sent", output).group(1)) for output in outputs]
    assert sum(sent) == 12, outputs
    assert orders_of(inbox) == sorted(ids)


def _quick_data(inbox):
    async def handle_data(server, session, envelope):
        import asyncio

        await asyncio.sleep(0.1)  # long enough for the two runs to overlap
        return await Inbox.handle_DATA(inbox, server, session, envelope)

    return handle_data
