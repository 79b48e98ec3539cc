"""Fixtures for payments tests: the offline Stripe stand-in served over real HTTP.

`standin_server` serves a fresh stand-in (its own SQLite file) on a free
loopback port in a thread; `webhook_receiver` is a tiny HTTP server that
records what the stand-in posts. Both are reusable by the app's tests:
`make_standin_server(STANDIN_WEBHOOK_URL=..., STANDIN_WEBHOOK_SECRET=...)`.
"""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import stripe
from werkzeug.serving import make_server

from standin import create_standin_app

TEST_KEY = "sk_test_standin_tests"
WEBHOOK_SECRET = "whsec_standin_tests_secret"
# The shop the test sessions come from (tests/payments/standin_helpers.py).
SHOP_ORIGIN = "http://shop.test"


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


@pytest.fixture
def make_standin_server(tmp_path):
    """Factory: a stand-in with config overrides (sync webhooks by default, for determinism)."""
    servers = []

    def factory(**config):
        settings = {
            "STANDIN_API_KEY": TEST_KEY,
            "STANDIN_ALLOWED_ORIGIN": SHOP_ORIGIN,
            "STANDIN_DB": str(tmp_path / f"stripe-standin-{len(servers)}.db"),
            "STANDIN_WEBHOOK_MODE": "sync",
            "STANDIN_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STANDIN_WEBHOOK_BACKOFF_SECONDS": 0.01,
            **config,
        }
        server = StandinServer(create_standin_app(settings))
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.stop()


@pytest.fixture
def standin_server(make_standin_server):
    return make_standin_server()


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
        import json

        return [d for d in self.deliveries if json.loads(d.body)["type"] == event_type]


@pytest.fixture
def webhook_receiver():
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
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
