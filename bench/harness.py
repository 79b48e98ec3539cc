"""The stack a benchmark runs against: a fresh PostgreSQL database, the Stripe
stand-in and the app under gunicorn in production configuration, each its own
process group, all stopped at the end whatever happened.

The load itself comes from yet another process (`bench.client`), so the app's
workers, the stand-in and the load generator compete for the same two cores
the way they would on a small server with a phone-sized client farm.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from bench import nginx
from ticketing.payments.gateway import standin_api_key

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable
PG_SERVER = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
SECRET_KEY = "bench-secret-key-not-for-production-0123456789abcdef"  # noqa: S105 (bench only)
WEBHOOK_SECRET = "whsec_bench0123456789abcdef0123456789"  # noqa: S105 (bench only)
# Production keeps its rate limits in Redis (and refuses to start without it).
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
# The app runs with production's gunicorn settings (ticketing/gunicorn_conf.py)
# unless these ask for another process and thread count, to compare.
APP_WORKERS = os.environ.get("BENCH_APP_WORKERS")
APP_THREADS = os.environ.get("BENCH_APP_THREADS")
# The door's own gunicorn behind nginx, as README's "Running in production"
# sketch routes it (its sync worker count; 0: one pool, no nginx).
DOOR_WORKERS = int(os.environ.get("BENCH_DOOR_WORKERS", "4"))
WEBHOOK_WORKERS = os.environ.get("BENCH_WEBHOOK_WORKERS", "2")
# With the door's pool: the site's pool and a task worker at these CPU
# priorities (`nice`, also given to their sessions: see _group_nice), as
# README's "Running in production" has it, so that the door's pool wins the
# cores. At 10 the buyers' pool starved behind a door rush (buyers gave up
# at 5 s); at 5 it kept up (docs/benchmarks.md, 2026-12-07 16:20-17:50).
SITE_NICE = int(os.environ.get("BENCH_SITE_NICE", "5"))
WORKER_NICE = int(os.environ.get("BENCH_WORKER_NICE", "10"))
# The Stripe stand-in plays a service on other machines; 0 by default (at 10
# it answered the buyers' checkouts so slowly that they gave up).
STANDIN_NICE = int(os.environ.get("BENCH_STANDIN_NICE", "0"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(name: str) -> str:
    """Drop and create `name` (only ever a ticketing_bench* database)."""
    assert name.startswith("ticketing_bench"), name
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{PG_SERVER}/{name}"


def _wait_http(url: str, seconds: float, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} while starting")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback only)
                return
        except urllib.error.HTTPError:
            return  # it answers: good enough for the stand-in's root
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer at {url} within {seconds}s")


class Stack:
    """Database + stand-in + app. Use as a context manager."""

    def __init__(
        self,
        name: str,
        workers=APP_WORKERS,
        threads=APP_THREADS,
        *,
        env: dict | None = None,
        standin: dict | None = None,
        standin_threads: int = 4,
    ):
        """`env`: settings for the app (and whatever else it spawns) on top of the
        defaults; `standin`: stand-in config on top of the defaults."""  # fmt: skip
        self.name = name
        self.extra_env, self.extra_standin = env or {}, standin or {}
        self.standin_threads = standin_threads
        self.database = f"ticketing_bench_{name}"
        self.workers, self.threads = workers, threads
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.tmp = tempfile.mkdtemp(prefix=f"bench-{name}-")
        self.app_port = free_port()  # nginx's, or the only pool's
        self.standin_port = free_port()
        self.door_workers = DOOR_WORKERS if shutil.which("nginx") else 0
        self.pool_ports = (free_port(), free_port(), free_port()) if self.door_workers else ()
        self.site_nice = SITE_NICE if self.door_workers else 0
        self.worker_nice = WORKER_NICE if self.door_workers else 0
        self.url = f"http://127.0.0.1:{self.app_port}"
        self.db_url = ""
        self.engine = None

    def env(self) -> dict:
        return {
            **os.environ,
            "APP_ENV": "production",
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": self.db_url,
            "REDIS_URL": REDIS_URL,
            # Simulated payments, from the stand-in on its own origin (production
            # never mounts it in-process); it accepts only the app's derived key.
            "ALLOW_SIMULATED_PAYMENTS": "1",
            "STRIPE_SECRET_KEY": "",
            "STRIPE_API_BASE": f"http://127.0.0.1:{self.standin_port}",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "BASE_URL": self.url,
            # Every simulated buyer comes from loopback: no per-address hold limit.
            "HOLD_RATE_LIMIT": "",
            "MAIL_SERVER": "",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }

    @staticmethod
    def niced(nice: int) -> list[str]:
        return ["nice", "-n", str(nice)] if nice else []

    def spawn(self, name: str, argv: list[str], nice: int = 0) -> subprocess.Popen:
        """Start another process of the stack (own session, log in the temp dir), at
        CPU priority `nice`."""
        return self._spawn(name, argv, nice)

    def stop_one(self, name: str) -> None:
        """Stop one process started here (SIGTERM, then SIGKILL), e.g. a server going down."""
        for entry in list(self.processes):
            if entry[0] == name:
                self.processes.remove(entry)
                _terminate(*entry)

    def _spawn(self, name: str, argv: list[str], nice: int = 0) -> subprocess.Popen:
        log = open(os.path.join(self.tmp, f"{name}.log"), "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [*self.niced(nice), *argv], cwd=ROOT, env=self.env(), stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        if nice:
            _group_nice(process.pid, nice)
        self.processes.append((name, process))
        return process

    def start(self) -> "Stack":
        self.db_url = recreate_database(self.database)
        subprocess.run(
            [PYTHON, "-m", "flask", "--app", "app", "db", "upgrade"],
            cwd=ROOT, env=self.env(), check=True, capture_output=True,
        )  # fmt: skip
        self.engine = create_engine(self.db_url)
        standin_config = {
            "STANDIN_API_KEY": standin_api_key(SECRET_KEY),
            "STANDIN_ALLOWED_ORIGIN": self.url,
            "STANDIN_DB": os.path.join(self.tmp, "stripe.db"),
            "STANDIN_WEBHOOK_MODE": "off",
            **self.extra_standin,
        }
        standin = self._spawn(
            "standin",
            [PYTHON, "-m", "gunicorn", "--workers", "2",
             "--threads", str(self.standin_threads),
             "--worker-class", "gthread", "--keep-alive", "30", "--log-level", "warning",
             "--bind", f"127.0.0.1:{self.standin_port}",
             f"standin:create_standin_app({json.dumps(standin_config)})"],
            STANDIN_NICE,
        )  # fmt: skip
        sizing = ["--workers", self.workers] if self.workers else []
        sizing += ["--threads", self.threads] if self.threads else []
        main_port = self.pool_ports[0] if self.door_workers else self.app_port
        app = self._gunicorn("app", main_port, sizing, self.site_nice)
        if self.door_workers:
            door = self._gunicorn("door", self.pool_ports[1], ["--workers", str(self.door_workers)])
            hooks = self._gunicorn("webhooks", self.pool_ports[2], ["--workers", WEBHOOK_WORKERS])
            _wait_http(f"http://127.0.0.1:{self.pool_ports[1]}/healthz", 30, door, "door pool")
            _wait_http(f"http://127.0.0.1:{self.pool_ports[2]}/healthz", 30, hooks, "webhooks")
            _wait_http(f"http://127.0.0.1:{main_port}/healthz", 30, app, "app")
            nginx_argv = nginx.command(self.tmp, self.app_port, *self.pool_ports)
            app = self._spawn("nginx", nginx_argv)
        _wait_http(f"http://127.0.0.1:{self.standin_port}/", 30, standin, "stand-in")
        _wait_http(f"{self.url}/healthz", 30, app, "app")
        return self

    def _gunicorn(self, name: str, port: int, sizing: list, nice: int = 0) -> subprocess.Popen:
        if os.environ.get("BENCH_ACCESS_LOGS"):  # to see each pool's own time per request
            log = os.path.join(os.environ["BENCH_ACCESS_LOGS"], f"{name}-access.log")
            sizing = [*sizing, "--access-logfile", log, "--access-logformat", "%(D)s %(s)s %(U)s"]
        return self._spawn(
            name,
            [PYTHON, "-m", "gunicorn", "-c", "python:ticketing.gunicorn_conf",
             *sizing, "--log-level", "warning", "--bind", f"127.0.0.1:{port}",
             "bench.floor:create_app()"],  # the product's app plus the floor route
            nice,
        )  # fmt: skip

    def settle(self) -> None:
        """Write out what seeding (or an earlier benchmark) left dirty, before the
        load: otherwise PostgreSQL's background checkpoint competes with it
        for the two cores. Needs a superuser (or pg_checkpoint); skipped if not."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            try:
                conn.execute(text("CHECKPOINT"))
            except DBAPIError as exc:
                print(f"  (no CHECKPOINT before the load: {exc.orig})")  # noqa: T201

    def stop(self) -> None:
        for _, process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for name, process in reversed(self.processes):
            _terminate(name, process, signalled=True)
        self.processes.clear()
        if self.engine is not None:
            self.engine.dispose()

    def log_tail(self, name: str, lines: int = 30) -> str:
        try:
            with open(os.path.join(self.tmp, f"{name}.log"), errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> "Stack":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def _group_nice(pid: int, nice: int) -> None:
    """Give the process's session the same priority as the process.

    Each process of the stack is its own session, and with the kernel's
    autogroup scheduling (sched_autogroup_enabled, on by default on desktop
    and many VM kernels) the CPU is shared between sessions first: a process's
    own `nice` then only ranks it within its session, and a niced pool would
    get as much as the door's. Setting the autogroup's nice ranks the sessions
    (on a server, systemd's CPUWeight= ranks the services' cgroups the same
    way). Without autogroups the file is absent and `nice` alone does it.
    """
    with contextlib.suppress(OSError), open(f"/proc/{pid}/autogroup", "w") as handle:
        handle.write(str(nice))


def _terminate(name: str, process: subprocess.Popen, *, signalled: bool = False) -> None:
    if not signalled and process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        print(f"  ({name} had to be killed)")  # noqa: T201


def drive(stack: Stack, requests: list, *, concurrency: int, max_seconds: float,
          header_sets: list[dict] | None = None, keep_bodies: int = 0,
          timeline: bool = False, request_timeout_s: float | None = None) -> dict:  # fmt: skip
    """Run the load generator as its own process over loopback; returns its figures."""
    spec = {
        "host": "127.0.0.1",
        "port": stack.app_port,
        "concurrency": concurrency,
        "max_seconds": max_seconds,
        "header_sets": header_sets or [{}],
        "requests": requests,
        "keep_bodies": keep_bodies,
        "timeline": timeline,
        "request_timeout_s": request_timeout_s,
    }
    path = os.path.join(stack.tmp, f"spec-{time.monotonic_ns()}.json")
    with open(path, "w") as handle:
        json.dump(spec, handle)
    done = subprocess.run(
        [PYTHON, "-m", "bench.client", path], cwd=ROOT, capture_output=True, text=True,
        timeout=max_seconds + 60,
        # Its own session: with autogroup scheduling, two load generators running at
        # once (the door's phones, the buyers') each get their own share of the CPU.
        start_new_session=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def floor_requests(count: int, tokens: list[str]) -> tuple[list, list[dict]]:
    """Requests for the floor endpoint: token check + one indexed single-row update."""
    header_sets = [
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"} for token in tokens
    ]
    return [("POST", "/_bench/floor", i % len(tokens), "{}") for i in range(count)], header_sets
