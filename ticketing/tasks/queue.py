"""One Huey per app: Redis when REDIS_URL is set, else SQLite in instance/.

`enqueue` is called after the caller's commit and never raises: with the
broker down it logs and returns False, and the sweep enqueues the work later
from the database rows. Tests may set TASKS_IMMEDIATE (Huey's immediate mode:
the task runs at once, in the caller's thread).
"""

import functools
import logging
import os
import time

import redis
from flask import Flask, current_app, has_app_context
from huey import MemoryHuey, RedisHuey, SqliteHuey

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "worker-heartbeat"


def make_huey(app: Flask):
    config = app.config
    name = config["TASK_QUEUE_NAME"]
    if config.get("TASKS_IMMEDIATE"):
        return MemoryHuey(name, immediate=True, results=False)
    if config.get("REDIS_URL"):
        # Short connect timeout: a web request never waits long on a dead broker.
        pool = redis.ConnectionPool.from_url(
            config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=10
        )
        return RedisHuey(name, connection_pool=pool, results=False)
    path = config.get("TASK_QUEUE_PATH") or os.path.join(app.instance_path, "tasks.db")
    return SqliteHuey(name, filename=path, results=False)


def register(app: Flask, jobs: dict) -> None:
    """Each job becomes a Huey task of this app's queue, run inside this app's context."""
    huey = make_huey(app)
    app.extensions["huey"] = huey
    app.extensions["tasks"] = {
        name: huey.task(name=name)(_in_app(app, function)) for name, function in jobs.items()
    }


def _in_app(app: Flask, function):
    @functools.wraps(function)
    def run(*args, **kwargs):
        if has_app_context() and current_app._get_current_object() is app:
            return function(*args, **kwargs)
        with app.app_context():
            return function(*args, **kwargs)

    return run


def huey_of(app: Flask | None = None):
    return (app or current_app).extensions["huey"]


def enqueue(name: str, *args, app: Flask | None = None, **kwargs) -> bool:
    """After the caller's commit: hand the task to the queue; False if the broker is down."""
    app = app or current_app._get_current_object()
    try:
        app.extensions["tasks"][name](*args, **kwargs)
    except Exception as exc:  # the row is the truth: the sweep enqueues it again
        log.warning("could not enqueue %s%r (%s); the sweep will pick it up", name, args, exc)
        return False
    return True


def beat(app: Flask) -> None:
    """The worker says it is alive (read by /readyz)."""
    huey_of(app).put(HEARTBEAT_KEY, time.time())


def last_beat(app: Flask) -> float | None:
    value = huey_of(app).get(HEARTBEAT_KEY, peek=True)
    return float(value) if value is not None else None


def once_per(app: Flask, job: str, period: float, now: float | None = None) -> bool:
    """True for exactly one worker per period (a key only the first one writes)."""
    slot = int((now or time.time()) // period)
    huey = huey_of(app)
    if not huey.put_if_empty(f"periodic:{job}:{slot}", 1):
        return False
    huey.get(f"periodic:{job}:{slot - 2}")  # tidy an old slot (get pops it)
    return True
