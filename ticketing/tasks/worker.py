"""`flask --app app worker`: Huey's consumer, a ticker for the periodic jobs, a heartbeat.

SIGTERM and SIGINT both stop gracefully: each worker thread finishes the task
in hand (an SMTP send is bounded by MAIL_TIMEOUT), takes no new one, and the
process exits. A worker killed outright leaves its claim on the row, which
another worker takes over once the lease (EMAIL_LEASE_SECONDS) has passed.
"""

import logging
import threading

from flask import Flask
from huey.consumer import Consumer

from ticketing.tasks import mail_lanes
from ticketing.tasks.queue import beat, enqueue, huey_of, once_per

log = logging.getLogger(__name__)

# Job name -> the setting with its period in seconds (0: off).
PERIODIC = (
    ("sweep", "SWEEP_SECONDS"),
    ("expire_holds", "EXPIRE_HOLDS_SECONDS"),
    ("fill_unknown_fees", "FEES_SECONDS"),
    ("reconcile_stripe", "RECONCILE_SECONDS"),
)
TICK_SECONDS = 1.0


class GracefulConsumer(Consumer):
    """Huey's consumer, with SIGTERM as graceful as SIGINT (finish the task in hand).

    Emails handed over to a mail lane (mail_lanes) are not "in hand": stopping,
    a lane finishes its send and leaves the rest owed, for the sweep, with
    their queue marks dropped so that the next sweep queues them again.
    """

    def __init__(self, *args, lanes: mail_lanes.MailLanes, **kwargs):
        super().__init__(*args, **kwargs)
        self.lanes = lanes

    def stop(self, graceful=False):
        self.lanes.stopping.set()
        super().stop(graceful)
        self.lanes.release_waiting()

    def _handle_stop_signal(self, sig_num, frame):
        self._logger.info("Received SIGTERM: finishing the tasks in hand, then stopping")
        self._received_signal = True
        self._restart = False
        self._graceful = True


def run_worker(app: Flask, threads: int) -> None:
    lanes = mail_lanes.install(app, threads)
    consumer = GracefulConsumer(
        huey_of(app), workers=threads, periodic=False, initial_delay=0.1, max_delay=1.0,
        lanes=lanes,
    )  # fmt: skip
    ticker = threading.Thread(target=tick, args=(app, consumer.stop_flag), daemon=True)
    ticker.start()
    log.info(
        "Worker started: %s thread(s), %s of them for mail, on %s",
        threads, lanes.size, type(huey_of(app)).__name__,
    )  # fmt: skip
    consumer.run()
    ticker.join(timeout=5)


def tick(app: Flask, stop) -> None:
    """Every second: the heartbeat, and each periodic job once per period in the cluster."""
    while not stop.is_set():
        with app.app_context():
            try:
                beat(app)
                for job, setting in PERIODIC:
                    period = app.config[setting]
                    if period > 0 and once_per(app, job, period):
                        enqueue(job, app=app)
            except Exception as exc:  # the broker is down: try again next tick
                log.warning("worker tick failed: %s", exc)
        stop.wait(TICK_SECONDS)
