"""The app's Stripe client reads proxy settings once, and still goes through a proxy.

requests looks the proxy variables up on every call unless told not to;
`ticketing.speedups.stripe_http.HTTPClient` resolves them when the client is built. These tests
make sure a proxy set in the environment is still used, and NO_PROXY still
bypasses it.
"""

import secrets
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.support.shop import TEST_KEY
from ticketing.database import utcnow
from ticketing.payments import gateway
from ticketing.speedups import stripe_http

pytestmark = pytest.mark.slow  # a proxy and the stand-in over HTTP

PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy")


class ForwardingProxy:
    """A plain HTTP forward proxy on loopback that remembers what it forwarded."""

    def __init__(self):
        self.forwarded: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.forwarded.append(f"POST {self.path}")
                upstream = requests.Session()
                upstream.trust_env = False  # never through ourselves
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                answer = upstream.post(self.path, data=body, headers=headers, timeout=10)
                self.send_response(answer.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    running = ForwardingProxy()
    yield running
    running.close()


def checkout_request() -> gateway.CheckoutRequest:
    return gateway.CheckoutRequest(
        order_id=7,
        currency="USD",
        buyer_email="ada@example.test",
        expires_at=utcnow() + timedelta(minutes=45),
        lines=[("Benefit night: General", 2500, 2)],
        success_url="http://shop.test/ok?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="http://shop.test/cancel",
        idempotency_key="checkout-" + secrets.token_urlsafe(16),
    )


def test_a_proxy_from_the_environment_carries_the_stripe_calls(
    make_app, standin_server, proxy, monkeypatch
):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    app = make_app(STRIPE_SECRET_KEY=TEST_KEY, STRIPE_API_BASE=standin_server.url)
    with app.app_context():
        session = gateway.create_checkout_session(checkout_request())
    assert session.id.startswith("cs_test_") and session.amount_total == 5000
    assert proxy.forwarded == [f"POST {standin_server.url}/v1/checkout/sessions"]


def test_no_proxy_still_bypasses_the_proxy(make_app, standin_server, proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert stripe_http.fixed_proxy(standin_server.url) is None
    app = make_app(STRIPE_SECRET_KEY=TEST_KEY, STRIPE_API_BASE=standin_server.url)
    with app.app_context():
        session = gateway.create_checkout_session(checkout_request())
    assert session.status == "open" and proxy.forwarded == []


def test_the_proxy_is_picked_per_scheme(proxy, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert stripe_http.fixed_proxy("https://api.stripe.com") == {
        "https": "http://proxy.internal:3128"
    }
    monkeypatch.setenv("NO_PROXY", ".stripe.com")
    assert stripe_http.fixed_proxy("https://api.stripe.com") is None
