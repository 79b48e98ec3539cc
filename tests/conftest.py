"""Fixtures shared by every test: app, db, client, runner, live_server.

The suite runs against SQLite by default and against PostgreSQL when
TEST_DATABASE_URL names one (`make test` does both). The schema is built by
the real migrations once per session; each test ends by emptying every
table, so code under test commits for real (one commit per request) and
threads with their own connections see each other's work.
"""

import os
import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from ticketing import create_app
from ticketing.config import normalize_database_url
from ticketing.extensions import db as _db

TEST_SETTINGS = {
    "TESTING": True,
    # Development: the tests start their own Stripe stand-in and pass every
    # setting here; production's start-up checks have their own tests.
    "APP_ENV": "development",
    "SECRET_KEY": "test-secret-key-0123456789abcdef-0123456789",
    "WTF_CSRF_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Many buyers on one loopback address: tests/security/test_seat_holds.py
    # sets the seat hold limits it checks.
    "HOLD_RATE_LIMIT": "100000 per hour",
    "HOLD_EMAIL_RATE_LIMIT": "100000 per hour",
    "HOLDS_PER_EMAIL": 0,
    "BASE_URL": "http://localhost",
    "MAIL_SERVER": "",
    # No Stripe unless a test starts the stand-in (tests/payments/conftest.py)
    # and points STRIPE_API_BASE at it; a stray call fails fast on a closed port.
    "STRIPE_API_BASE": "http://127.0.0.1:9",
    "STRIPE_WEBHOOK_SECRET": "whsec_test_secret",
}
# Overrides for a test that needs production (make_app(**PRODUCTION_SETTINGS)):
# everything production requires, with the test's stand-in address and the
# rate limits still in memory.
PRODUCTION_SETTINGS = {
    "APP_ENV": "production",
    "SECRET_KEY": "production-test-secret-key-0123456789abcdef",
    "REDIS_URL": "redis://127.0.0.1:6379/11",
    "ALLOW_SIMULATED_PAYMENTS": True,
}


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalize_database_url(url)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


def _ensure_postgres_database(url: str) -> None:
    """Create the test database if missing (connecting to `postgres` to do so)."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def _reset_schema(app) -> None:
    """Drop everything, then build the schema with the real migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        _ensure_postgres_database(url)
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url})
    _reset_schema(app)
    with app.app_context():
        _db.engine.dispose()
    return url


@pytest.fixture
def make_app(database_url):
    """Build an app on the test database with extra settings."""
    apps = []

    def factory(**overrides):
        app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            _db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def db(app):
    """The database, emptied after the test whatever it committed."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.close()
        _empty_all_tables()


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture
def postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (runs in the TEST_DATABASE_URL pass of make test)")


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


@pytest.fixture
def live_server(app, db):
    with LiveServer(app) as server:
        yield server


class Shop:
    """The app over HTTP, wired to its own offline Stripe stand-in over HTTP.

    The stand-in delivers signed webhooks to the app's /webhooks/stripe, just
    as Stripe would; `webhook_mode` "sync" delivers before the payment call
    returns (deterministic), "off" records events for the test to deliver.
    """

    def __init__(self, app, server, standin, db):
        self.app, self.server, self.standin, self.db = app, server, standin, db
        self.url = server.url

    def release(self) -> None:
        """End the test's own transaction: on SQLite it would block the server's writes."""
        self.db.session.commit()

    def api(self, method: str, path: str, **kwargs):
        import requests

        self.release()
        return requests.request(method, self.url + path, timeout=30, **kwargs)

    def buy(self, event_id: int, items: list[dict], donation_minor: int = 0, **buyer):
        body = {
            "buyer_name": buyer.get("name", "Ada Buyer"),
            "buyer_email": buyer.get("email", "ada@example.test"),
            "items": items,
            "donation_minor": donation_minor,
        }
        return self.api("POST", f"/api/v1/events/{event_id}/orders", json=body)

    def session_id(self, created: dict) -> str:
        return created["checkout_url"].rstrip("/").rsplit("/", 1)[-1]

    def pay(self, created: dict, card: str = "4242424242424242"):
        self.release()
        return self.standin.pay(self.session_id(created), card)

    def order(self, created: dict) -> dict:
        response = self.api(
            "GET",
            f"/api/v1/orders/{created['id']}",
            headers={"X-Order-Token": created["access_token"]},
        )
        assert response.status_code == 200, response.text
        return response.json()


def wait_for(condition, db, seconds: float = 15.0) -> None:
    """Poll until `condition()` holds (the stand-in's webhooks arrive asynchronously)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        met = condition()
        db.session.rollback()  # never sleep holding the (SQLite) database
        if met:
            return
        time.sleep(0.03)
    raise AssertionError("condition not met in time")


@pytest.fixture
def make_shop(app, db, tmp_path):
    """Factory: the shop with a chosen webhook mode (one per test)."""
    from standin import create_standin_app
    from tests.payments.conftest import StandinServer
    from ticketing.payments.gateway import standin_api_key

    started = []

    def factory(webhook_mode: str = "sync") -> Shop:
        server = LiveServer(app).__enter__()
        standin = StandinServer(
            create_standin_app(
                {
                    # The key the app derives from its SECRET_KEY, and the app's
                    # own address as the only place checkout may lead back to.
                    "STANDIN_API_KEY": standin_api_key(app.config["SECRET_KEY"]),
                    "STANDIN_ALLOWED_ORIGIN": server.url,
                    "STANDIN_DB": str(tmp_path / "stripe-standin.db"),
                    "STANDIN_WEBHOOK_URL": server.url + "/webhooks/stripe",
                    "STANDIN_WEBHOOK_SECRET": app.config["STRIPE_WEBHOOK_SECRET"],
                    "STANDIN_WEBHOOK_MODE": webhook_mode,
                    "STANDIN_WEBHOOK_BACKOFF_SECONDS": 0.05,
                }
            )
        )
        app.config.update(STRIPE_API_BASE=standin.url, BASE_URL=server.url)
        started.append((server, standin))
        return Shop(app, server, standin, db)

    yield factory
    for server, standin in started:
        standin.stop()
        server.__exit__(None, None, None)


@pytest.fixture
def shop(make_shop) -> Shop:
    return make_shop("sync")


@pytest.fixture
def browser():
    """Headless Chromium (see tests/browser.py)."""
    from tests.browser import chromium

    with chromium() as launched:
        yield launched
