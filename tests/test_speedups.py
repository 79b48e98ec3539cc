"""Each patch in ticketing/speedups/ relies on private names of a library: these
tests fail the day a name disappears (so an upgrade cannot turn a patch into
a silent no-op or an AttributeError in production), and check the patch is
still in effect in the app."""

import inspect

import stripe
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from gunicorn.workers.gthread import ThreadWorker

from ticketing.extensions import limiter
from ticketing.speedups import stripe_http
from ticketing.speedups.flask_app import CookielessSessionInterface, TicketingFlask
from ticketing.speedups.gunicorn_worker import BalancedThreadWorker
from ticketing.speedups.stripe_http import HTTPClient


def test_flask_still_asks_ensure_sync_and_opens_sessions_as_patched():
    assert "ensure_sync" in vars(Flask)
    assert "ensure_sync" in inspect.getsource(Flask.dispatch_request)
    for name in ("open_session", "get_cookie_name", "session_class"):
        assert hasattr(SecureCookieSessionInterface, name), name


def test_the_app_uses_the_flask_patches(app):
    assert isinstance(app, TicketingFlask)
    assert isinstance(app.session_interface, CookielessSessionInterface)
    view = app.view_functions["health.healthz"]
    assert app.ensure_sync(view) is app.ensure_sync(view)
    assert view in app._sync_functions


def test_flask_limiter_still_has_the_hook_and_the_blueprint_limits():
    assert callable(getattr(Limiter, "_check_request_limit", None))
    probe_app = Flask("probe")
    probe = Limiter(key_func=lambda: "x", storage_uri="memory://")
    probe.init_app(probe_app)
    manager = probe.limit_manager
    for name in ("default_limits", "application_limits", "_blueprint_limits"):
        assert hasattr(manager, name), name
    # The hook the patch removes is the one init_app registers.
    assert probe._check_request_limit in probe_app.before_request_funcs[None]


def test_the_app_runs_without_the_limiters_hook(app):
    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])


def test_the_stripe_sdk_still_has_the_patched_internals():
    assert callable(getattr(stripe.RequestsClient, "_request_internal", None))
    client = HTTPClient("http://127.0.0.1:9", timeout=1)
    assert hasattr(client, "_thread_local")
    assert "_thread_local" in inspect.getsource(stripe.RequestsClient._request_internal)


def test_gunicorn_still_has_what_the_balanced_worker_overrides():
    for name in ("set_accept_enabled", "enqueue_req", "finish_request", "handle_request"):
        assert callable(getattr(ThreadWorker, name, None)), name
    init = inspect.getsource(ThreadWorker.__init__)
    assert "self.nr_conns" in init
    assert "self.max_keepalived" in init
    assert "max_keepalived" in inspect.getsource(ThreadWorker.handle_request)
    assert issubclass(BalancedThreadWorker, ThreadWorker)


def test_the_stripe_sdk_still_encodes_and_logs_through_the_patched_names():
    import stripe._api_requestor as requestor

    for name in ("urlencode", "log_info", "log_debug"):
        assert name in requestor.__dict__, name
        assert f"{name}(" in inspect.getsource(requestor._APIRequestor), name
    # In effect once the app's Stripe client module is imported.
    assert requestor.urlencode is stripe_http.form_urlencode
    assert requestor.log_info is stripe_http.log_info
    assert requestor.log_debug is stripe_http.log_debug


def test_the_form_encoding_is_the_standard_librarys():
    from urllib.parse import urlencode

    pairs = [
        ("line_items[0][price_data][product_data][name]", "Benefit night: Standard"),
        ("success_url", "http://127.0.0.1:5000/orders/7/paid?token=a+b/c&session_id={X}"),
        ("metadata[order_id]", 7),
        ("customer_email", "Zoë O'Brien <zoe@example.test>"),
        (b"raw[key]", b"\xff\x00 bytes"),
        ("amount", 0),
        ("flag", "true"),
        ("empty", ""),
    ]
    for _ in range(2):  # the second time from the cache
        assert stripe_http.form_urlencode(pairs) == urlencode(pairs)
    assert stripe_http.form_urlencode({"a": "b c"}) == urlencode({"a": "b c"})
    assert stripe_http.form_urlencode([("k", ["x", "y"])], doseq=True) == urlencode(
        [("k", ["x", "y"])], doseq=True
    )


def test_the_sdk_still_logs_when_asked(monkeypatch, caplog):
    import logging

    caplog.set_level(logging.DEBUG, logger="stripe")
    stripe_http.log_info("Request to Stripe api", method="post", url="http://x/v1/y")
    stripe_http.log_debug("API response body", body='{"id": "cs_1"}')
    assert [r.getMessage() for r in caplog.records] == [
        "message='Request to Stripe api' method=post url=http://x/v1/y",
        "body='{\"id\": \"cs_1\"}' message='API response body'",
    ]
    assert [(r.name, r.levelno) for r in caplog.records] == [
        ("stripe", logging.INFO),
        ("stripe", logging.DEBUG),
    ]


def test_the_sdk_still_prints_its_log_when_stripe_log_is_set(monkeypatch, capsys):
    monkeypatch.setattr(stripe, "log", "info")
    stripe_http.log_info("Stripe API response", path="http://x/v1/y", response_code=200)
    stripe_http.log_debug("API response body", body="{}")
    err = capsys.readouterr().err
    assert "message='Stripe API response' path=http://x/v1/y response_code=200" in err
    assert "API response body" not in err
