"""gunicorn settings for production: `gunicorn -c python:ticketing.gunicorn_conf app:app`.

Measured on 2 cores with PostgreSQL on the same machine (docs/benchmarks.md):
3 processes of 6 threads keep both cores busy while threads wait on the
database; at the door they gave 755-800 scans/s (p99 44-47 ms) where 4 x 4
gave 640-720 (p99 50-57), and 8 x 2, 16 x 1 and 2 x 8 did worse still.
The worker is gthread with a rule that spreads kept-alive clients evenly
over the processes (ticketing/gunicorn_worker.py). Every setting can be
overridden on the command line or with GUNICORN_CMD_ARGS.
"""

import gc
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
worker_class = "ticketing.gunicorn_worker.BalancedThreadWorker"
workers = int(os.environ.get("WEB_WORKERS", "3"))
threads = int(os.environ.get("WEB_THREADS", "6"))
# Scanners and phones reuse their connection between requests.
keepalive = 30
backlog = 2048
# A slow client must not pin a thread for ever.
timeout = 30
graceful_timeout = 20


def post_worker_init(worker):
    """Move the loaded app's objects out of the collector's sight (gc.freeze).

    Otherwise every full collection walks all of Flask, SQLAlchemy and the
    Stripe SDK: 75-125 ms with the GIL held, measured, during which that
    process answers nobody. After the freeze it takes 2-6 ms.
    """
    gc.collect()
    gc.freeze()
