"""Issue 13, finding 5: login.

Unknown emails were answered in 8-40 ms and known ones in 400 ms (no hash
for an unknown user: the answer's time told which emails exist); the limit
lived in each worker's memory (8 workers, 8 times the guesses); and behind
nginx it keyed on the proxy's address, so one person locked out all staff.
"""

import os
import secrets

import pytest
import redis
from werkzeug import security

from tests.support.web import PASSWORD, csrf_token
from ticketing import create_app
from ticketing.accounts import services
from ticketing.extensions import db as _db

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


def _attempt(client, email: str, password: str, address: str = "127.0.0.1", **headers):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}, headers=headers)
    form = {"csrf_token": csrf_token(page.data), "email": email, "password": password}
    response = client.post(
        "/login", data=form, environ_base={"REMOTE_ADDR": address}, headers=headers
    )
    client.delete_cookie("session")
    return response.status_code


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash the login checks (the real check still runs)."""
    checked = []
    real = services.check_password_hash

    def spy(pwhash: str, password: str) -> bool:
        checked.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", spy)
    return checked


def test_an_unknown_email_costs_the_same_hash_as_a_known_one(client, organizer, hash_checks):
    assert _attempt(client, "organizer@example.test", "wrong-password") == 422
    assert _attempt(client, "nobody@example.test", "wrong-password") == 422
    assert _attempt(client, "nobody-else@example.test", "wrong-password") == 422
    known, unknown, other = hash_checks
    method = known.split("$", 1)[0]  # e.g. scrypt:32768:8:1: the work it takes
    assert unknown.split("$", 1)[0] == method and other.split("$", 1)[0] == method
    assert unknown != known


def test_the_dummy_hash_matches_no_password(client, organizer):
    dummy = services._dummy_password_hash()
    assert security.check_password_hash(dummy, "") is False
    assert services.password_matches(None, "") is False


def test_guesses_from_many_addresses_lock_that_account(client, organizer, door):
    statuses = [
        _attempt(client, "organizer@example.test", f"guess-{n}", address=f"198.51.100.{n}")
        for n in range(10)
    ]
    assert statuses == [422] * 10
    # The eleventh guess, from an address never seen before, even with the right password.
    assert _attempt(client, "Organizer@Example.test", PASSWORD, address="203.0.113.7") == 429
    # Another account from that same address is not affected.
    assert _attempt(client, "door@example.test", PASSWORD, address="203.0.113.7") == 302


def test_a_forged_forwarded_for_does_not_escape_the_limit(client, organizer):
    """No proxy configured: the header is the client's own words."""
    statuses = [
        _attempt(client, f"nobody{n}@example.test", "guess", **{"X-Forwarded-For": f"10.0.0.{n}"})
        for n in range(10)
    ]
    assert statuses == [422] * 10
    blocked = _attempt(
        client, "organizer@example.test", PASSWORD, **{"X-Forwarded-For": "10.9.9.9"}
    )
    assert blocked == 429


def test_behind_a_configured_proxy_each_client_has_its_own_limit(make_app, db, organizer, door):
    app = make_app(TRUSTED_PROXIES=1)
    client = app.test_client()
    nginx = "127.0.0.1"
    statuses = [
        _attempt(client, f"nobody{n}@example.test", "guess", address=nginx,
                 **{"X-Forwarded-For": "192.0.2.66"})
        for n in range(10)
    ]  # fmt: skip
    assert statuses == [422] * 10
    attacker = _attempt(
        client, "door@example.test", PASSWORD, address=nginx, **{"X-Forwarded-For": "192.0.2.66"}
    )
    assert attacker == 429
    # The staff behind the same proxy still log in.
    staff = _attempt(
        client,
        "organizer@example.test",
        PASSWORD,
        address=nginx,
        **{"X-Forwarded-For": "192.0.2.10"},
    )
    assert staff == 302


@pytest.fixture
def redis_url():
    """The Redis that production's limits live in (TESTING.md: 127.0.0.1:6379)."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"needs Redis at {url}: {exc}")
    return url


@pytest.mark.rollback(False)  # its apps read the organizer on connections of their own
def test_production_workers_share_one_count_in_redis(
    monkeypatch, database_url, db, organizer, redis_url
):
    """Two processes' worth of apps (gunicorn workers), one limit between them."""
    for name, value in {
        "APP_ENV": "production",
        "SECRET_KEY": "k" * 48,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "BASE_URL": "https://tickets.example.test",
        "STRIPE_SECRET_KEY": "sk_test_abc",
        "STRIPE_WEBHOOK_SECRET": "whsec_abc",
    }.items():
        monkeypatch.setenv(name, value)
    prefix = f"test-{secrets.token_hex(6)}"
    workers = []
    for _ in range(2):
        app = create_app({"RATELIMIT_KEY_PREFIX": prefix, "WTF_CSRF_SSL_STRICT": False})
        assert app.config["RATELIMIT_STORAGE_URI"] == redis_url
        workers.append(app.test_client())
    try:
        statuses = [
            _attempt(workers[n % 2], "organizer@example.test", f"guess-{n}", address="10.1.1.1")
            for n in range(10)
        ]
        assert statuses == [422] * 10
        assert _attempt(workers[0], "organizer@example.test", PASSWORD, "10.1.1.1") == 429
        assert _attempt(workers[1], "organizer@example.test", PASSWORD, "10.1.1.1") == 429
    finally:
        store = redis.Redis.from_url(redis_url)
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
        for worker in workers:  # their connections, closed now rather than by the GC
            with worker.application.app_context():
                _db.engine.dispose()
