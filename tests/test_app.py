"""The factory, health check, error shapes and start-up safety."""

import pytest
from flask import Blueprint
from sqlalchemy import func, select

from ticketing import create_app
from ticketing.accounts.models import Organization
from ticketing.config import ConfigError, from_environment
from ticketing.extensions import db as _db


def test_healthz_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_503_when_database_is_down(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"


def test_api_errors_are_json_with_code_and_message(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json
    body = response.get_json()
    assert body["code"] == "not_found" and body["message"]


def test_page_errors_are_friendly_html(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert b"Not found" in response.data and b"Back to the events" in response.data


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.")


def test_unhandled_error_rolls_back_and_answers_500(make_app, db):
    app = make_app()
    broken = Blueprint("broken", __name__)

    @broken.post("/api/v1/_broken")
    def explode():
        _db.session.add(Organization(name="Half written", slug="half-written"))
        _db.session.flush()
        raise RuntimeError("boom")

    app.register_blueprint(broken)
    app.extensions["csrf"].exempt(broken)
    response = app.test_client().post("/api/v1/_broken")
    assert response.status_code == 500
    assert response.get_json()["code"] == "internal_error"
    assert "boom" not in response.get_data(as_text=True)
    with app.app_context():
        count = _db.session.execute(select(func.count()).select_from(Organization)).scalar()
    assert count == 0


def test_production_without_secret_key_refuses_to_start(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_live_stripe_key_is_refused_unless_allowed(monkeypatch, database_url):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("SECRET_KEY", "a-development-key")
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_live_abc")
    monkeypatch.setenv("DATABASE_URL", database_url)
    with pytest.raises(ConfigError, match="live key"):
        create_app()
    monkeypatch.setenv("ALLOW_LIVE_PAYMENTS", "1")
    assert create_app().config["ALLOW_LIVE_PAYMENTS"] is True


def test_postgres_urls_use_psycopg3(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/d")
    assert from_environment(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://u@h/d"
    )


def test_production_refuses_simulated_payments_unless_asked(monkeypatch, database_url):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test-0123456789")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/11")
    monkeypatch.setenv("BASE_URL", "https://tickets.example.test")
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    monkeypatch.delenv("STRIPE_API_BASE", raising=False)
    with pytest.raises(ConfigError, match="simulated payments"):
        create_app()
    monkeypatch.setenv("ALLOW_SIMULATED_PAYMENTS", "1")
    # Simulated, but only with the stand-in on its own origin, never mounted inside.
    with pytest.raises(ConfigError, match="STRIPE_API_BASE"):
        create_app()
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:12111")
    assert create_app().config["APP_ENV"] == "production"


def test_a_listed_module_that_does_not_exist_stops_the_factory(monkeypatch, database_url):
    """A typo in the factory's lists must not silently drop a blueprint or a command."""
    import ticketing

    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "APP_ENV": "development"}
    for name in ("BLUEPRINT_MODULES", "CLI_MODULES"):
        with monkeypatch.context() as patch:
            patch.setattr(ticketing, name, (*getattr(ticketing, name), "ticketing.orders.viwes"))
            with pytest.raises(ModuleNotFoundError, match="ticketing.orders.viwes"):
                create_app({**settings, "SECRET_KEY": "k" * 40})


def test_every_order_signal_has_a_receiver(app):
    """A signal nobody listens to is a leftover: it reads as if something happened."""
    from blinker import NamedSignal

    from ticketing.orders import signals

    sent = [value for value in vars(signals).values() if isinstance(value, NamedSignal)]
    assert sent
    for signal in sent:
        assert signal.has_receivers_for(app), signal.name
