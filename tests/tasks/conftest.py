"""Real workers: `flask --app app worker` as child processes, on real Redis
(db 3, a queue name per test) or on the embedded SQLite queue, sending to a
real SMTP server (aiosmtpd). The test's own app enqueues, as a web process does.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller

from tests.support.mail import Inbox
from tests.support.servers import free_port
from tests.support.settings import TEST_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB_URL = "redis://127.0.0.1:6379/3"


def redis_answers(url: str = REDIS_DB_URL) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@pytest.fixture
def queue_name() -> str:
    return "test-" + uuid.uuid4().hex[:12]


@pytest.fixture(params=["redis", "sqlite"])
def broker(request, tmp_path, queue_name):
    """Where the queue lives: Redis (production's) or the embedded SQLite default."""
    if request.param == "redis":
        if not redis_answers():
            if os.environ.get("CI") == "true":
                pytest.fail("Redis must answer on 127.0.0.1:6379 in CI")
            pytest.skip("no Redis on 127.0.0.1:6379")
        yield {"REDIS_URL": REDIS_DB_URL}
        client = redis.Redis.from_url(REDIS_DB_URL)
        keys = client.keys(f"*{queue_name}*")
        if keys:
            client.delete(*keys)
        client.close()
    else:
        yield {"TASK_QUEUE_PATH": str(tmp_path / "tasks.db")}


@pytest.fixture
def worker_settings(broker, queue_name, database_url):
    """What the worker processes and the test's app share (as environment variables)."""
    return {
        "APP_ENV": "development",
        "SECRET_KEY": TEST_SETTINGS["SECRET_KEY"],
        "DATABASE_URL": database_url,
        "BASE_URL": TEST_SETTINGS["BASE_URL"],
        "STRIPE_API_BASE": TEST_SETTINGS["STRIPE_API_BASE"],
        "STRIPE_WEBHOOK_SECRET": TEST_SETTINGS["STRIPE_WEBHOOK_SECRET"],
        "TASK_QUEUE_NAME": queue_name,
        "SWEEP_SECONDS": "1",
        "EMAIL_RETRY_SECONDS": "0.3",
        "EMAIL_RETRY_MAX_SECONDS": "1",
        "EMAIL_LEASE_SECONDS": "60",
        "MAIL_TIMEOUT": "5",
        "RECONCILE_SECONDS": "0",
        "FEES_SECONDS": "0",
        "WORKER_STALE_SECONDS": "5",
        **broker,
    }


@pytest.fixture
def queue_app(make_app, worker_settings, db):
    """The test's app enqueueing on the shared queue (not immediate), as the web does."""
    keys = ("REDIS_URL", "TASK_QUEUE_PATH", "TASK_QUEUE_NAME")
    shared = {key: worker_settings[key] for key in keys if key in worker_settings}
    numbers = ("SWEEP_SECONDS", "EMAIL_LEASE_SECONDS", "WORKER_STALE_SECONDS")
    shared.update({key: float(worker_settings[key]) for key in numbers})
    return make_app(TASKS_IMMEDIATE=False, **shared)


class Workers:
    """Worker processes started by a test; all stopped (and reaped) at its end."""

    def __init__(self, settings: dict, logs: Path):
        self.settings, self.logs, self.processes = settings, logs, []

    def start(self, **overrides) -> subprocess.Popen:
        env = {**os.environ, **self.settings, **{k: str(v) for k, v in overrides.items()}}
        env.pop("TEST_DATABASE_URL", None)
        log = open(self.logs / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "worker"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append((process, log))
        return process

    def output(self, index: int = 0) -> str:
        return (self.logs / f"worker-{index}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for process, log in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            log.close()


@pytest.fixture
def workers(worker_settings, tmp_path):
    started = Workers(worker_settings, tmp_path)
    yield started
    started.stop_all()


@pytest.fixture
def smtp():
    """A real SMTP server on loopback: (inbox, port)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


class HangingSMTP:
    """Accepts connections and never answers (a mail server that hangs)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept()
        self.sock.close()
        self.thread.join(timeout=5)
        for conn in self.held:
            conn.close()


@pytest.fixture
def hanging_smtp():
    server = HangingSMTP()
    yield server
    server.close()
