"""gunicorn's threaded worker, made to spread kept-alive clients across processes.

Every gthread worker races to accept() on the shared socket, whether or not
it has a thread free, and a client that keeps its connection alive (a door
scanner, a phone) then stays with whoever won. In the door benchmark one
process of four ended up with 10 of the 16 scanners and another with none;
those 10 waited three times as long (p50 36 ms against 13 ms), and they
were the p99. gunicorn's maintainers call the spread the kernel's business
(benoitc/gunicorn#2817, #3071).

Two small rules fix it, both inside one worker (no shared state):

- a worker with every thread busy leaves new connections to the others;
- a worker holding more connections than it has threads answers with
  `Connection: close`, so that client reconnects, to a worker with a thread
  free. Below that, keep-alive works as usual.
"""

from gunicorn.workers.gthread import ThreadWorker


class BalancedThreadWorker(ThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.busy_threads = 0

    def set_accept_enabled(self, enabled):
        free = self.busy_threads < self.cfg.threads and self.nr_conns < self.worker_connections
        super().set_accept_enabled(enabled and free)

    # Both run on the worker's main thread, like run() itself.
    def enqueue_req(self, conn):
        self.busy_threads += 1
        super().enqueue_req(conn)
        self.set_accept_enabled(True)

    def finish_request(self, conn, fs):
        self.busy_threads -= 1
        super().finish_request(conn, fs)
        self.set_accept_enabled(True)

    # handle_request() closes the connection after the response when
    # len(keepalived_conns) >= max_keepalived: 0 means "close this one".
    @property
    def max_keepalived(self) -> int:
        if self.nr_conns > self.cfg.threads:
            return 0
        return self.cfg.worker_connections - self.cfg.threads

    @max_keepalived.setter
    def max_keepalived(self, value) -> None:
        """ThreadWorker.__init__ assigns it; the property above decides instead."""
