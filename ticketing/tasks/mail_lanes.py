"""At most MAIL_LANES threads of a worker talk to the mail server; the others hand
their emails over and go on.

A mail server that accepts connections and never answers holds each send for
MAIL_TIMEOUT. If every thread could wait on it, no other task would run:
payments the webhooks kept would not be applied (no tickets, no totals),
late payments not refunded. So a thread sends mail only in one of the lanes
(default: half the worker's threads, at least one). A send that finds every
lane taken is handed over: the thread that holds a lane sends it next, in
the order handed over, and the handing thread is free at once. Each email is
handed over once however often it is queued; the order's row still says it
is owed, so if this process stops first, the sweep brings it back (a stopping
worker lets go of the queue marks of the sends it leaves: `release_waiting`).
"""

import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import Flask, current_app

from ticketing.extensions import db

log = logging.getLogger(__name__)

EXTENSION = "mail_lanes"


def lane_count(config, threads: int | None = None) -> int:
    """MAIL_LANES, or half of the worker's threads (at least one)."""
    return config.get("MAIL_LANES") or max(1, (threads or config["WORKER_THREADS"]) // 2)


class MailLanes:
    def __init__(self, lanes: int, after_failure: Callable[[], object] = lambda: None):
        self.size, self.after_failure = lanes, after_failure
        self._lock = threading.Lock()
        self._free = lanes
        # key -> (the send, what lets go of its queue mark if it never runs here)
        self._handed_over: OrderedDict[Hashable, tuple[Callable[[], str], Callable[[], object]]]
        self._handed_over = OrderedDict()
        # Set when the worker stops: the send in hand finishes, no handed-over one starts.
        self.stopping = threading.Event()

    def send(
        self, key: Hashable, send: Callable[[], str], release: Callable[[], object] = lambda: None
    ) -> str:
        """Run `send` in a free lane, then whatever was handed over meanwhile; or hand
        it over ('handed over') when every lane is taken. `release`: called instead
        of `send` if the worker stops before sending it."""
        with self._lock:
            if not self._free:
                self._handed_over.setdefault(key, (send, release))
                return "handed over"
            self._free -= 1
        try:
            outcome = send()
        except BaseException:
            self._leave()
            raise
        self._send_handed_over()
        return outcome

    def _send_handed_over(self) -> None:
        while True:
            with self._lock:
                if not self._handed_over or self.stopping.is_set():
                    self._free += 1
                    return
                key, (send, _release) = self._handed_over.popitem(last=False)
            try:
                send()
            except Exception:  # its row stays owed: the sweep brings it back
                self.after_failure()  # so that the next one starts clean
                log.exception("A handed-over email (%s) failed.", key)

    def _leave(self) -> None:
        with self._lock:
            self._free += 1

    def waiting(self) -> int:
        with self._lock:
            return len(self._handed_over)

    def release_waiting(self) -> int:
        """The worker stops: the handed-over sends that will not run here let go of
        their queue marks, so that the sweep queues them again at once."""
        with self._lock:
            left = list(self._handed_over.values())
            self._handed_over.clear()
        for _send, release in left:
            with contextlib.suppress(Exception):
                release()
        return len(left)


def install(app: Flask, threads: int | None = None) -> MailLanes:
    """The app's lanes; the worker installs them again for its own thread count."""
    made = MailLanes(lane_count(app.config, threads), after_failure=db.session.rollback)
    app.extensions[EXTENSION] = made
    return made


def lanes() -> MailLanes:
    return current_app.extensions[EXTENSION]
