"""gunicorn settings for production: `gunicorn -c python:ticketing.gunicorn_conf app:app`.

Measured on 2 cores with PostgreSQL on the same machine (docs/benchmarks.md):
4 processes of 4 threads keep both cores busy while threads wait on the
database; 6 x 3, 8 x 2 and 16 x 1 did no better at the door and cost more
memory. Every setting can be overridden on the command line or with
GUNICORN_CMD_ARGS.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "4"))
threads = int(os.environ.get("WEB_THREADS", "4"))
# Scanners and phones reuse their connection between requests.
keepalive = 30
backlog = 2048
# A slow client must not pin a thread for ever.
timeout = 30
graceful_timeout = 20
