"""Issue 13, finding 2: a public SECRET_KEY was used whenever APP_ENV was not
exactly "production" (unset, "prod", a typo): a session cookie forged with
it opened the dashboard, and the demo organizer token was the same on every
install. Production is now the default; only APP_ENV=development may run on
a development key, and that key is random per install.
"""

import json
import os
import stat
import subprocess
import sys

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from ticketing import create_app
from ticketing.accounts.tokens import derived_secret
from ticketing.config import ConfigError, development_secret_key

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PUBLIC_DEV_KEY = "dev-only-not-secret"  # what every install used before
SETTINGS = (
    "APP_ENV",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "BASE_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "ALLOW_SIMULATED_PAYMENTS",
    "TRUSTED_PROXIES",
)
MISSING_NAMES = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BASE_URL", "STRIPE_SECRET_KEY")


@pytest.fixture
def bare_env(monkeypatch):
    """An environment with none of the app's settings, as on a fresh server."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def complete_env(bare_env, database_url):
    """Everything production needs, but the key (each test sets its own)."""
    for name, value in {
        "DATABASE_URL": database_url,
        "REDIS_URL": "redis://127.0.0.1:6379/11",
        "BASE_URL": "https://tickets.example.test",
        "STRIPE_SECRET_KEY": "sk_test_abc",
        "STRIPE_WEBHOOK_SECRET": "whsec_abc",
    }.items():
        bare_env.setenv(name, value)
    return bare_env


def test_nothing_set_is_production_and_says_what_is_missing(bare_env):
    with pytest.raises(ConfigError) as refused:
        create_app()
    message = str(refused.value)
    for name in MISSING_NAMES:
        assert name in message


@pytest.mark.parametrize(
    "app_env", [None, "", "prod", "Production ", "testing", "staging", "dev", "develop"]
)
def test_only_development_runs_on_a_public_key(complete_env, app_env):
    if app_env is not None:
        complete_env.setenv("APP_ENV", app_env)
    complete_env.setenv("SECRET_KEY", PUBLIC_DEV_KEY)
    with pytest.raises(ConfigError, match="SECRET_KEY: at least 32 bytes"):
        create_app()


def test_production_wants_32_bytes_of_key(complete_env, db):
    complete_env.setenv("SECRET_KEY", "k" * 31)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    complete_env.setenv("SECRET_KEY", "k" * 32)
    app = create_app()
    assert app.config["APP_ENV"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_tests_can_build_a_production_app(make_app, db):
    from tests.support.settings import PRODUCTION_SETTINGS

    app = make_app(**PRODUCTION_SETTINGS)
    assert (app.config["APP_ENV"], app.config["SESSION_COOKIE_SECURE"]) == ("production", True)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        make_app(**{**PRODUCTION_SETTINGS, "SECRET_KEY": "short"})


def test_production_without_redis_refuses_to_start(complete_env):
    complete_env.setenv("SECRET_KEY", "k" * 48)
    complete_env.delenv("REDIS_URL")
    with pytest.raises(ConfigError, match="REDIS_URL") as refused:
        create_app()
    assert "SECRET_KEY" not in str(refused.value)  # only what is really missing


def test_a_real_stripe_key_needs_its_webhook_secret(complete_env):
    complete_env.setenv("SECRET_KEY", "k" * 48)
    complete_env.delenv("STRIPE_WEBHOOK_SECRET")
    with pytest.raises(ConfigError, match="STRIPE_WEBHOOK_SECRET"):
        create_app()


def test_the_development_key_is_random_per_install_and_kept(tmp_path):
    first = development_secret_key(str(tmp_path / "one"))
    assert development_secret_key(str(tmp_path / "one")) == first  # sessions survive restarts
    assert development_secret_key(str(tmp_path / "two")) != first
    assert len(first.encode()) >= 32 and first != PUBLIC_DEV_KEY
    mode = stat.S_IMODE(os.stat(tmp_path / "one" / "dev-secret-key").st_mode)
    assert mode == 0o600


def _forged_cookie(key: str, user_id: int) -> str:
    """A Flask-Login session cookie for `user_id`, signed with `key`."""
    forger = Flask("forger")
    forger.secret_key = key
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    return serializer.dumps({"_user_id": str(user_id), "_fresh": True})


def test_a_cookie_signed_with_the_old_public_key_opens_nothing(make_app, db, organizer):
    app = make_app(SECRET_KEY="")  # development, no key given
    assert app.config["SECRET_KEY"] != PUBLIC_DEV_KEY
    client = app.test_client()
    client.set_cookie("session", _forged_cookie(PUBLIC_DEV_KEY, organizer.user_id))
    response = client.get("/manage/events")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_demo_token_is_not_the_same_on_every_install(make_app, db):
    app = make_app(SECRET_KEY="")
    with app.app_context():  # its own context, ended (and its session closed) here
        result = app.test_cli_runner().invoke(args=["seed-demo", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output.strip().splitlines()[-1])
    everyones = derived_secret(PUBLIC_DEV_KEY, "demo-organizer-token", "tkt")
    assert printed["organizer_token"].startswith("tkt_")
    assert printed["organizer_token"] != everyones
    client = app.test_client()
    mine = client.get(
        "/api/v1/events/{}/totals".format(printed["event_id"]),
        headers={"Authorization": f"Bearer {printed['organizer_token']}"},
    )
    assert mine.status_code == 200
    guessed = client.get(
        "/api/v1/events/{}/totals".format(printed["event_id"]),
        headers={"Authorization": f"Bearer {everyones}"},
    )
    assert guessed.status_code == 401


def _clean_env() -> dict:
    return {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS and not name.startswith(("STANDIN_", "TEST_"))
    }


@pytest.mark.parametrize(
    "argv",
    [
        [sys.executable, "-c", "from app import app"],
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--check-config",
            "-c",
            "python:ticketing.gunicorn_conf",
            "app:app",
        ],
    ],  # fmt: skip
    ids=["import", "gunicorn"],
)
def test_gunicorn_with_nothing_set_refuses_to_start(argv):
    done = subprocess.run(
        argv, cwd=REPO, env=_clean_env(), capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "Refusing to start in production" in output
    for name in MISSING_NAMES:
        assert f"- {name}" in output, name


def test_make_run_is_development():
    done = subprocess.run(
        ["make", "-n", "run", "VENV=/nonexistent-venv"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    flask_lines = [line for line in done.stdout.splitlines() if " -m flask " in line]
    assert len(flask_lines) >= 3, done.stdout + done.stderr
    assert all("APP_ENV=development" in line for line in flask_lines), flask_lines
