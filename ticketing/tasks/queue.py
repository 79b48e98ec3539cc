"""One Huey per app: Redis when REDIS_URL is set, else SQLite in instance/.

`enqueue` is called after the caller's commit and never raises: with the
broker down it logs and returns False, and the sweep enqueues the work later
from the database rows. Tests may set TASKS_IMMEDIATE (Huey's immediate mode:
the task runs at once, in the caller's thread).

A task about one row waits in the queue once. The sweep enqueues every due,
unclaimed row each SWEEP_SECONDS, and a row whose task is still queued is due
and unclaimed: without a mark, a backlog grew by a copy of itself each sweep
(the mixed rush's queue: 1,242 tasks for 300 payments, each payment applied
13 s late). So enqueue leaves a mark and adds no copy while it stands; the
task drops it when it starts (the row's claim guards it from then on). A
mark older than TASK_MARK_SECONDS is taken for a lost task (a worker killed
between taking it and starting it) and no longer holds a copy back.
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
# Jobs about one row, which the sweep enqueues again while due.
MARKED_JOBS = frozenset({"apply_stripe_event", "send_ticket_email", "send_refund", "send_reminder"})
# Of those, the ones that drop their mark themselves, when their send starts:
# one handed over to a busy mail lane (mail_lanes) is still waiting.
SENDS_DROP_OWN_MARK = frozenset({"send_ticket_email", "send_reminder"})


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
    app.extensions["tasks"] = tasks_on(huey, app, jobs)


def tasks_on(huey, app: Flask, jobs: dict) -> dict:
    """Each job as a task of `huey`, run inside `app`'s context (dropping its mark)."""
    return {name: huey.task(name=name)(_in_app(app, name, job)) for name, job in jobs.items()}


def _in_app(app: Flask, name: str, function):
    drops_mark = name in MARKED_JOBS and name not in SENDS_DROP_OWN_MARK

    @functools.wraps(function)
    def run(*args, **kwargs):
        if drops_mark:
            unmark(name, *args, app=app, **kwargs)
        if has_app_context() and current_app._get_current_object() is app:
            return function(*args, **kwargs)
        with app.app_context():
            return function(*args, **kwargs)

    return run


def huey_of(app: Flask | None = None):
    return (app or current_app).extensions["huey"]


def enqueue(name: str, *args, app: Flask | None = None, **kwargs) -> bool:
    """After the caller's commit: hand the task to the queue (unless the same task
    waits there already); False if the broker is down."""
    app = app or current_app._get_current_object()
    mark = mark_of(name, args, kwargs)
    try:
        if mark is not None and not _set_mark(app, mark):
            return True  # a copy waits already
        app.extensions["tasks"][name](*args, **kwargs)
    except Exception as exc:  # the row is the truth: the sweep enqueues it again
        unmark(name, *args, app=app, **kwargs)  # no mark without its task
        log.warning("could not enqueue %s%r (%s); the sweep will pick it up", name, args, exc)
        return False
    return True


def mark_of(name: str, args: tuple, kwargs: dict) -> str | None:
    """The key of a queued task's mark: its job, its row, and the flags it was given
    (a redelivery, a person's resend: never merged into the sweep's plain copy)."""
    if name not in MARKED_JOBS:
        return None
    flags = [repr(arg) for arg in args[1:] if arg]
    flags += [f"{key}={value!r}" for key, value in sorted(kwargs.items()) if value]
    return ":".join(("queued", name, str(args[0]), *flags))


def _set_mark(app: Flask, mark: str) -> bool:
    """Leave the mark; False when a fresh one stands (its task waits)."""
    huey, now = huey_of(app), time.time()
    if huey.put_if_empty(mark, now):
        return True
    since = huey.get(mark, peek=True)
    if since is not None and now - float(since) < app.config["TASK_MARK_SECONDS"]:
        return False
    huey.put(mark, now)  # a stale mark: its task was lost
    return True


def unmark(name: str, *args, app: Flask | None = None, **kwargs) -> None:
    """The task has started: a copy queued from now on is new work. With the broker
    down the mark stays until it is stale (TASK_MARK_SECONDS)."""
    mark = mark_of(name, args, kwargs)
    if mark is None:
        return
    try:
        huey_of(app).delete(mark)
    except Exception as exc:
        log.warning("could not drop the mark of %s%r (%s)", name, args, exc)


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
