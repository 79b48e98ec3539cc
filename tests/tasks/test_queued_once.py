"""A task about one row waits in the queue once.

The sweep enqueues every row that is due and not claimed, every SWEEP_SECONDS.
Without a mark it also enqueued again the tasks still waiting: in the mixed
rush (docs/benchmarks.md) the queue grew to 1,242 tasks for 300 payments, and
each payment waited 13 s behind the copies. On the real brokers (Redis and
the embedded SQLite queue), with no worker running, so that what is queued
stays there to be counted.
"""

import time

import pytest

from tests.support.tickets import build_paid_order
from tests.tasks.test_worker import announce
from ticketing.tasks import jobs
from ticketing.tasks.queue import enqueue, huey_of

MISSING_ROW = 987_654  # apply_stripe_event skips a row that does not exist


def pending(app) -> list[tuple[str, tuple, dict]]:
    """What waits in the queue, in order: (task name, args, kwargs)."""
    with app.app_context():
        return [(t.name, t.args, t.kwargs) for t in huey_of(app).pending()]


def test_the_sweep_adds_no_copy_of_emails_still_waiting(db, queue_app):
    order_ids = [build_paid_order(db, quantities=(1,)).order_id for _ in range(3)]
    announce(queue_app, order_ids)  # the payments' own enqueues, after their commit
    with queue_app.app_context():
        assert jobs.sweep()["emails"] == 3  # all three are owed and unclaimed...
        assert jobs.sweep()["emails"] == 3
    # ... and each waits once.
    assert pending(queue_app) == [("send_ticket_email", (i,), {}) for i in order_ids]


def test_a_task_may_be_queued_again_once_its_copy_has_started(queue_app):
    with queue_app.app_context():
        huey = huey_of(queue_app)
        assert enqueue("apply_stripe_event", MISSING_ROW, False)
        assert enqueue("apply_stripe_event", MISSING_ROW)  # the sweep's, the same task
        assert huey.pending_count() == 1
        huey.execute(huey.dequeue())  # a worker takes it: from now on a copy is new work
        assert enqueue("apply_stripe_event", MISSING_ROW)
        assert huey.pending_count() == 1


def test_a_redelivery_and_a_persons_resend_are_not_merged_into_the_sweeps(queue_app):
    with queue_app.app_context():
        enqueue("apply_stripe_event", MISSING_ROW)
        enqueue("apply_stripe_event", MISSING_ROW, True)  # its payment is in: try now
        enqueue("send_ticket_email", MISSING_ROW)
        enqueue("send_ticket_email", MISSING_ROW, manual=True)  # the organizer's button
        enqueue("send_ticket_email", MISSING_ROW, manual=True)  # pressed twice
    assert pending(queue_app) == [
        ("apply_stripe_event", (MISSING_ROW,), {}),
        ("apply_stripe_event", (MISSING_ROW, True), {}),
        ("send_ticket_email", (MISSING_ROW,), {}),
        ("send_ticket_email", (MISSING_ROW,), {"manual": True}),
    ]


def test_a_mark_older_than_task_mark_seconds_no_longer_holds_a_copy_back(queue_app):
    """A worker killed between taking a task and starting it leaves its mark behind."""
    queue_app.config["TASK_MARK_SECONDS"] = 0.2
    with queue_app.app_context():
        enqueue("send_refund", MISSING_ROW)
        huey_of(queue_app).dequeue()  # taken, never run: the mark stays
        assert enqueue("send_refund", MISSING_ROW)
        assert huey_of(queue_app).pending_count() == 0  # still held back
        time.sleep(0.3)
        assert enqueue("send_refund", MISSING_ROW)
    assert pending(queue_app) == [("send_refund", (MISSING_ROW,), {})]


def test_a_task_the_broker_refused_leaves_no_mark(queue_app, monkeypatch):
    """The mark is written, then the broker fails: the sweep's next copy must go in."""
    tasks = queue_app.extensions["tasks"]
    real = tasks["send_refund"]

    def broker_gone(*args, **kwargs):
        raise ConnectionError("the broker went away")

    with queue_app.app_context():
        monkeypatch.setitem(tasks, "send_refund", broker_gone)
        assert enqueue("send_refund", MISSING_ROW) is False
        monkeypatch.setitem(tasks, "send_refund", real)
        assert enqueue("send_refund", MISSING_ROW)
    assert pending(queue_app) == [("send_refund", (MISSING_ROW,), {})]


@pytest.mark.parametrize("job", ["send_ticket_email", "send_reminder"])
def test_an_email_handed_over_to_a_busy_lane_keeps_its_mark_until_the_lane_sends_it(queue_app, job):
    """A send handed over (every mail lane busy) still waits: the sweep adds no copy
    until the lane has started it (tasks/mail_lanes.py)."""
    with queue_app.app_context():
        huey = huey_of(queue_app)
        lanes = queue_app.extensions["mail_lanes"]
        seen = {}

        def busy_lane() -> str:
            enqueue(job, MISSING_ROW)
            seen["outcome"] = huey.execute(huey.dequeue())
            seen["queued_again"] = enqueue(job, MISSING_ROW) and huey.pending_count()
            return "sent"

        lanes.send(("busy",), busy_lane)  # the lane then sends the handed-over one
        assert seen == {"outcome": "handed over", "queued_again": 0}
        assert enqueue(job, MISSING_ROW)
        assert huey.pending_count() == 1
