"""Fixtures shared by every test: app, db, client, runner, servers, browser.

The suite runs against SQLite by default and against PostgreSQL when
TEST_DATABASE_URL names one (`make test` does both). The schema is built by
the real migrations once per session; each test ends by emptying every
table, so code under test commits for real (one commit per request) and
threads with their own connections see each other's work. One app (`app`),
one second app (`served_app`) and one Chromium (`browser`) serve the whole
session and are put back after each test; `make_app` and `own_app` give a
test an app of its own.

What the fixtures build or start is in tests/support/; no conftest imports
another. Tests that start a browser or serve the app over HTTP are marked
`slow` here (`pytest -m "not slow"` for a quick run).
"""

import inspect

import pytest
from aiosmtpd.controller import Controller

from tests.support import app_state, database
from tests.support.browser import chromium, stop_playwright
from tests.support.catalogs import compile_catalogs
from tests.support.mail import Inbox
from tests.support.people import Team, build_team
from tests.support.servers import LiveServer, free_port, serve_webhook_receiver
from tests.support.settings import TEST_SETTINGS
from tests.support.shop import Shop, close_shop, open_shop, start_standin
from tests.support.web import forget_caller_between_requests
from ticketing import create_app
from ticketing.extensions import db as _db

# Fixtures that serve something over HTTP or drive Chromium: a test using any
# of them (directly or through another fixture) is `slow`.
SLOW_FIXTURES = {"live_server", "make_shop", "make_standin_server", "webhook_receiver", "browser"}


# Fixtures that reach the database on another connection or thread (a second
# app has its own engine): a test using one commits for real even if marked
# `rollback`.
OTHER_CONNECTIONS = SLOW_FIXTURES | {"served_app"}


def pytest_sessionstart(session):
    compile_catalogs()  # the .po files are in git, the .mo files are built


def pytest_collection_modifyitems(items):
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def _rolls_back(request) -> bool:
    """Marked `rollback`, and nothing in the test reaches the database another way.

    `@pytest.mark.rollback(False)` on a test of a module marked `rollback`
    opts it out (one that builds apps of its own, say).
    """
    marker = request.node.get_closest_marker("rollback")
    if marker is None or marker.args[:1] == (False,):
        return False
    own_app = "make_app" in inspect.signature(request.function).parameters
    return not own_app and not OTHER_CONNECTIONS.intersection(request.fixturenames)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = database.database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        database.ensure_postgres_database(url)
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url})
    database.reset_schema(app)
    with app.app_context():
        _db.engine.dispose()
    return url


@pytest.fixture
def make_app(database_url):
    """Build an app of the test's own on the test database, with extra settings."""
    apps = []

    def factory(**overrides):
        app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            _db.engine.dispose()


@pytest.fixture(scope="session")
def shared_app(database_url):
    """One app with the test settings for the whole session (building one costs 0.2 s).

    Tests get it through `app`; what a test changes on it (settings, request
    hooks, the rate limiter's counts, cached Stripe clients) is put back
    after the test (tests/support/app_state.py).
    """
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def app(request, make_app, shared_app):
    """The app with the test settings: the session's shared one, restored after the test.

    A test marked `own_app` gets a new app of its own instead (for a test
    that adds routes or otherwise changes what cannot be put back).
    """
    if request.node.get_closest_marker("own_app"):
        yield make_app()
        return
    with app_state.restored_after(shared_app):
        yield shared_app


@pytest.fixture
def db(app, request):
    """The database, emptied after the test whatever it committed.

    A test marked `rollback` runs inside one transaction rolled back at its
    end instead (tests/support/database.py), which is quicker: for tests
    whose app is used on this thread alone. One that also uses a live server,
    the stand-in or a second app (`make_app`, `served_app`) still commits.
    """
    with app.app_context():
        if _rolls_back(request):
            with database.rolled_back(_db):
                yield _db
            return
        yield _db
        _db.session.rollback()
        _db.session.close()
        database.empty_all_tables()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def shared_served_app(database_url):
    """The session's second app, behind `served_app`."""
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def served_app(shared_served_app, db):
    """A second app on the test database: its requests get their own app context.

    The `db` fixture keeps the first app's context open, and Flask reuses an
    open context (and its `g`, where the caller's Principal is cached) for
    every request of the same app; a request of this app starts clean. It is
    one app for the session, restored after each test like `app`.
    """
    with app_state.restored_after(shared_served_app):
        yield shared_served_app


@pytest.fixture
def fresh_request_globals(app):
    """Forget the caller between requests of `app` (tests/support/web.py)."""
    forget_caller_between_requests(app)


@pytest.fixture
def outbox(app, tmp_path):
    """Development mail goes to a temporary outbox, not the checkout's instance/."""
    folder = tmp_path / "outbox"
    app.config["MAIL_OUTBOX_DIR"] = str(folder)
    return folder


@pytest.fixture
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture
def postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (runs in the TEST_DATABASE_URL pass of make test)")


@pytest.fixture
def team(db) -> Team:
    """Two organizations: ours (owner, organizer, door) and another one."""
    return build_team(db)


@pytest.fixture
def live_server(app, db):
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def make_shop(app, db, tmp_path):
    """Factory: the shop with a chosen webhook mode (one per test)."""
    started = []

    def factory(webhook_mode: str = "sync") -> Shop:
        shop = open_shop(app, db, str(tmp_path / "stripe-standin.db"), webhook_mode)
        started.append(shop)
        return shop

    yield factory
    for shop in started:
        close_shop(shop)


@pytest.fixture
def shop(make_shop) -> Shop:
    return make_shop("sync")


@pytest.fixture
def make_standin_server(tmp_path):
    """Factory: a stand-in with config overrides (sync webhooks by default, for determinism).

    `make_standin_server(STANDIN_WEBHOOK_URL=..., STANDIN_WEBHOOK_SECRET=...)`.
    """
    servers = []

    def factory(**config):
        server = start_standin(str(tmp_path / f"stripe-standin-{len(servers)}.db"), **config)
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.stop()


@pytest.fixture
def standin_server(make_standin_server):
    return make_standin_server()


@pytest.fixture
def webhook_receiver():
    """A tiny HTTP server that records what the stand-in posts."""
    with serve_webhook_receiver() as receiver:
        yield receiver


@pytest.fixture(scope="session")
def shared_browser():
    """One headless Chromium for the session (launching one costs 1.8 s of CPU)."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def browser(shared_browser):
    """Headless Chromium (tests/support/browser.py): the session's, with the
    pages and contexts a test opened closed after it (each test starts with
    no cookies or storage). A test that needs other flags launches its own
    with `chromium(extra_args)`."""
    yield shared_browser
    for context in shared_browser.contexts:
        context.close()


def pytest_sessionfinish(session):
    stop_playwright()


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on loopback; the app is pointed at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_TIMEOUT=5)
    try:
        yield inbox
    finally:
        controller.stop()
