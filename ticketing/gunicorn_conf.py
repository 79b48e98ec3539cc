"""gunicorn settings for production: `gunicorn -c python:ticketing.gunicorn_conf app:app`.

Behind a buffering proxy (nginx), 8 single-threaded `sync` workers on 2
cores. Each process serves one request at a time and only an idle process
accepts the next connection, so requests queue first come, first served
across processes and never share a process's GIL. Measured at the door
(docs/benchmarks.md, 16 scanners, PostgreSQL on the same cores): 640 scans/s
with p99 39 ms, against 600-770 with p99 46-62 ms for the best threaded
setup (3 x 6, with kept-alive clients balanced); the flash sale did as well
(224-227 orders/s against 188-240).

The price: a request that waits on Stripe or SMTP holds its process for the
wait. Stripe calls give up after 8 s (3 tries fit in `timeout`); where those
waits are long, set WEB_THREADS above 1 for threads in each process, with
the balanced threaded worker (ticketing/speedups/gunicorn_worker.py). WEB_WORKERS
sets the process count. Every setting can also be overridden on the command
line or with GUNICORN_CMD_ARGS.
"""

import gc
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_WORKERS", "8"))
threads = int(os.environ.get("WEB_THREADS", "1"))
worker_class = "sync" if threads == 1 else "ticketing.speedups.gunicorn_worker.BalancedThreadWorker"
# For threaded workers: scanners and phones reuse their connection.
keepalive = 30
backlog = 2048
# A sync worker silent this long is restarted: above a checkout's longest
# Stripe wait (3 tries of 8 s, gateway.REQUEST_TIMEOUT_SECONDS).
timeout = 60
graceful_timeout = 20
# What one request may send before the app sees it: a request line (method,
# path, query) of 4 KB, 50 header fields of 8 KB each. Bodies are limited by
# the app (MAX_CONTENT_LENGTH). gunicorn answers a request past these with its
# own plain-text 400, even under /api: the proxy in front keeps tighter limits
# and answers those with JSON there (README, "Running in production").
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190


def post_worker_init(worker):
    """Move the loaded app's objects out of the collector's sight (gc.freeze).

    Otherwise every full collection walks all of Flask, SQLAlchemy and the
    Stripe SDK: 75-125 ms with the GIL held, measured, during which that
    process answers nobody. After the freeze it takes 2-6 ms.
    """
    gc.collect()
    gc.freeze()
