"""Servers on loopback for the tests: the app, the Stripe stand-in, a webhook receiver.

Each runs in a thread of this process (or, for the process tests, as a child
process) on a free port; every one of them is stopped by the fixture that
started it, whatever the test did.
"""

import json
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
import stripe
from werkzeug.serving import make_server


def free_port() -> int:
    """A loopback port nothing listens on (for a server started outside this process)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """The app served over real HTTP on loopback, threaded like production."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class StandinServer:
    """A stand-in on 127.0.0.1:<port>; `url` is the SDK's API base address."""

    def __init__(self, app):
        self.app = app
        self.standin = app.extensions["stripe_standin"]
        self.store = self.standin.store
        self.key = app.config["STANDIN_API_KEY"]
        self.headers = {"Authorization": f"Bearer {self.key}"}
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def client(self, key: str | None = None, **options) -> stripe.StripeClient:
        """The real SDK with the stand-in's key (or another), as the app configures it."""
        key = key or self.key
        return stripe.StripeClient(
            key, base_addresses={"api": self.url}, max_network_retries=2, **options
        )

    def pay(self, session_id: str, card_number: str = "4242 4242 4242 4242", **extra):
        """Pay through the stand-in's control endpoint (same code as the page)."""
        return self.admin(
            "POST", f"/sessions/{session_id}/pay", json={"card_number": card_number, **extra}
        )

    def admin(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call the stand-in's own controls (`/_standin/...`) with its key."""
        return requests.request(
            method, f"{self.url}/_standin{path}", headers=self.headers, timeout=10, **kwargs
        )

    def events(self, event_type: str | None = None) -> list[dict]:
        params = {"type": event_type} if event_type else {}
        return self.admin("GET", "/events", params=params).json()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@dataclass
class Delivery:
    path: str
    headers: dict
    body: bytes


@dataclass
class WebhookReceiver:
    """Records every POST; answers with `statuses` in turn (then 200)."""

    url: str = ""
    deliveries: list[Delivery] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of_type(self, event_type: str) -> list[Delivery]:
        return [d for d in self.deliveries if json.loads(d.body)["type"] == event_type]


@contextmanager
def serve_webhook_receiver():
    """A tiny HTTP server recording what the stand-in posts to it."""
    receiver = WebhookReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with receiver.lock:
                receiver.deliveries.append(Delivery(self.path, dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_port}/webhooks/stripe"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def wait_for(condition, db, seconds: float = 15.0) -> None:
    """Poll until `condition()` holds (the stand-in's webhooks arrive asynchronously)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        met = condition()
        db.session.rollback()  # never sleep holding the (SQLite) database
        if met:
            return
        time.sleep(0.03)
    raise AssertionError("condition not met in time")


def wait_until_standin_up(url: str, process: subprocess.Popen, log_path) -> None:
    """Wait for a stand-in started as a process to answer (or fail with its log)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {log_path.read_text()[-2000:]}")
        try:
            requests.get(url + "/_standin/events", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError("server did not start")


def stop_process(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
