"""The offline Stripe stand-in: a small WSGI app that plays Stripe for this project.

These machines cannot reach Stripe, so the app's real `stripe` SDK talks to
this instead (`base_addresses={"api": <its URL>}`): Checkout Sessions,
payment intents, charges with a simulated fee, refunds, a hosted checkout
page that takes Stripe's test cards, and webhooks signed as Stripe signs
them. It keeps Stripe's state in its own SQLite file, never in the app's
database. Mount it under a prefix (the app uses /_stripe) or run it alone:
`python -m standin --port 12111`.

Config keys (a plain dict):
  STANDIN_API_KEY          the one sk_test_... key it accepts (required); the app
                           derives it from SECRET_KEY (gateway.standin_api_key)
  STANDIN_ALLOWED_ORIGIN   the shop's BASE_URL (required): success_url and
                           cancel_url must be http(s) URLs under it
  STANDIN_DB               SQLite file (default <instance>/stripe-standin.db)
  STANDIN_PUBLIC_URL       base URL buyers reach it at, prefix included (default:
                           the request's own, e.g. http://host/_stripe)
  STANDIN_WEBHOOK_URL      where events are POSTed ("" = record only)
  STANDIN_WEBHOOK_SECRET   whsec_... used to sign them
  STANDIN_WEBHOOK_MODE     "async" (default), "sync" or "off"
  STANDIN_WEBHOOK_ATTEMPTS / STANDIN_WEBHOOK_BACKOFF_SECONDS  retry policy (4, 0.5)
  STANDIN_WEBHOOK_SCHEDULE seconds to wait before each retry, "0.1,1,5", or "stripe"
                           (Stripe's: ever further apart, for three days); overrides
                           the two above
  STANDIN_API_VERSION      api_version stamped on events (default: the SDK's)
  STANDIN_SETTLEMENT_CURRENCY  the account's payout currency (default: the app's
                           STRIPE_SETTLEMENT_CURRENCY, else usd). Charges in another
                           currency settle converted at ticketing.money's approximate
                           rate table: balance transactions carry amount, fee and net
                           in it plus `exchange_rate`; minimums apply after conversion
                           (amount_too_small), from the app's own money rules.
  STANDIN_BALANCE_TRANSACTION_DELAY_SECONDS  > 0: a charge's balance_transaction is
                           null at first and appears that much later, announced by
                           `charge.updated` (default 0: at once)
  STANDIN_API_DELAY_SECONDS  > 0: every API answer (/v1/...) waits that long first, a
                           slow Stripe (benchmarks); the controls under /_standin do not
"""

import logging
import os
import sqlite3
from pathlib import Path

import flask_babel
from flask import Blueprint, Flask, render_template, request
from flask_babel import Babel
from werkzeug.exceptions import HTTPException

from standin import admin, admin_lifecycle, api, checkout
from standin.core import StandIn
from standin.errors import StripeFailure
from ticketing.security_headers import header_pairs, origin_of, set_headers
from ticketing.templating import money

__all__ = ["StandIn", "admin_lifecycle", "create_standin_app"]

log = logging.getLogger(__name__)
_HERE = os.path.dirname(os.path.abspath(__file__))
_REPO_ROOT = os.path.dirname(_HERE)
# The shop's own stylesheet (app.css), which the stand-in's pages build on.
_SHOP_STATIC = os.path.join(_REPO_ROOT, "ticketing", "static")
_TRANSLATIONS = os.path.join(_REPO_ROOT, "ticketing", "translations")
# English and every language the shop has a catalog for.
LANGUAGES = (
    "en",
    *sorted(p.name for p in Path(_TRANSLATIONS).glob("*") if (p / "LC_MESSAGES").is_dir()),
)


def create_standin_app(config: dict | None = None) -> Flask:
    """Build a self-contained stand-in; `app.extensions["stripe_standin"]` is its state."""
    app = Flask(
        __name__,
        template_folder=os.path.join(_HERE, "templates"),
        static_folder=os.path.join(_HERE, "static"),
        static_url_path="/static",
        instance_path=os.path.join(_REPO_ROOT, "instance"),
    )
    app.config.update(config or {})
    _check(app.config)
    if not app.config.get("STANDIN_DB"):
        app.config["STANDIN_DB"] = os.path.join(app.instance_path, "stripe-standin.db")
    app.config.setdefault("SECRET_KEY", "stand-in-has-no-sessions")
    app.extensions["stripe_standin"] = StandIn(app.config)
    app.jinja_env.filters["money"] = money
    _register_languages(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(checkout.bp)
    app.register_blueprint(admin.bp)  # with admin_lifecycle's routes
    app.register_blueprint(
        Blueprint("shop", __name__, static_folder=_SHOP_STATIC, static_url_path="/static/shop")
    )
    _register_errors(app)
    _register_security_headers(app)
    return app


def _register_languages(app: Flask) -> None:
    """The hosted page speaks the shop's languages, from the shop's catalogs
    (ticketing/translations, read as files): ?lang, then the shop's `lang`
    cookie (the same site in development), then the browser's."""
    app.config.setdefault("LANGUAGES", LANGUAGES)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", _TRANSLATIONS)
    Babel(app, locale_selector=_page_locale)

    @app.context_processor
    def inject_language():
        return {"html_lang": str(flask_babel.get_locale() or "en")}


def _page_locale() -> str:
    for chosen in (request.args.get("lang"), request.cookies.get("lang")):
        if chosen in LANGUAGES:
            return chosen
    return request.accept_languages.best_match(LANGUAGES) or "en"


def _check(config) -> None:
    """No stand-in without its key and the shop it serves: never one anybody may use."""
    if not api.is_test_key(config.get("STANDIN_API_KEY")):
        raise ValueError(
            "STANDIN_API_KEY must be the sk_test_... key the app uses (the app derives it "
            "from SECRET_KEY: ticketing.payments.gateway.standin_api_key)"
        )
    origin = config.get("STANDIN_ALLOWED_ORIGIN") or ""
    if not origin.startswith(("http://", "https://")):
        raise ValueError(
            "STANDIN_ALLOWED_ORIGIN must be the shop's BASE_URL (http(s)://host[:port])"
        )


def _register_security_headers(app: Flask) -> None:
    """The app's own headers (strict CSP, no framing, no referrer) on every answer.

    The pay form's answer redirects to the shop's success page: the shop's
    origin (the only one redirects may lead to) is the one other form target.
    """
    shop = origin_of(app.config.get("STANDIN_ALLOWED_ORIGIN") or "")
    pairs = header_pairs((shop,) if shop else ())

    @app.after_request
    def add_security_headers(response):
        set_headers(response, pairs)
        return response


def _register_errors(app: Flask) -> None:
    """Stripe-shaped JSON under /v1 and /_standin, a plain page elsewhere; never a bare 500."""

    def wants_json() -> bool:
        return request.path.startswith(("/v1/", "/_standin/")) or request.path == "/v1"

    @app.errorhandler(StripeFailure)
    def stripe_failure(exc: StripeFailure):
        return api.json_response(exc.body(), exc.status)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if wants_json():
            message = (
                f"Unrecognized request URL ({request.method}: {request.path})."
                if exc.code in (404, 405)
                else exc.description
            )
            return api.json_response(
                {"error": {"type": "invalid_request_error", "message": message}}, exc.code
            )
        return render_template("closed.html", session=None, error=exc), exc.code

    @app.errorhandler(sqlite3.OperationalError)
    def lock_timeout(exc: sqlite3.OperationalError):
        """The store stayed locked too long: Stripe's 429 lock_timeout, which the SDK retries."""
        log.warning("stand-in: store busy on %s %s: %s", request.method, request.path, exc)
        body = {
            "error": {
                "type": "invalid_request_error",
                "code": "lock_timeout",
                "message": "This object cannot be accessed right now; try again.",
            }
        }
        return api.json_response(body, 429, {"Stripe-Should-Retry": "true"})

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("stand-in: unexpected error on %s %s", request.method, request.path)
        if wants_json():
            body = {"error": {"type": "api_error", "message": "An unexpected error occurred."}}
            return api.json_response(body, 500, {"Stripe-Should-Retry": "false"})
        return render_template("closed.html", session=None, error=exc), 500
