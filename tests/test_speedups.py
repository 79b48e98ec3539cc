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
