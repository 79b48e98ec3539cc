"""gunicorn settings for production: `gunicorn -c python:ticketing.gunicorn_conf app:app`.

Measured on 2 cores with PostgreSQL on the same machine (docs/benchmarks.md):
a few processes with a few threads each keep both cores busy while threads
wait on the database. Every setting can be overridden on the command line
or with GUNICORN_CMD_ARGS.
"""

import os
import sys

bind = os.environ.get("BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "4"))
threads = int(os.environ.get("WEB_THREADS", "4"))
keepalive = 30
backlog = 2048
# A phone on a slow network must not pin a thread for ever.
timeout = 30
graceful_timeout = 20

# How long a thread may hold the GIL before another gets it (CPython default 5 ms).
SWITCH_INTERVAL_S = float(os.environ.get("PY_SWITCH_INTERVAL_S", "0.005"))


def post_fork(server, worker):
    """A thread whose database answer has arrived should not queue for milliseconds."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
