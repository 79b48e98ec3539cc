"""Settings from the environment, with safe development defaults.

Production (APP_ENV=production) refuses to start without a real SECRET_KEY,
and live Stripe keys are refused unless ALLOW_LIVE_PAYMENTS=1.
"""

import os

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105  (refused in production)


class ConfigError(RuntimeError):
    """Raised at start-up when the settings are unsafe or incomplete."""


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict:
    """Read every setting the app uses from the environment."""
    env = os.environ.get("APP_ENV", "development").strip().lower()
    default_db = "sqlite:///" + os.path.join(instance_path, "ticketing.db")
    return {
        "APP_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": normalize_database_url(
            os.environ.get("DATABASE_URL", default_db)
        ),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", "").rstrip("/"),
        "ALLOW_LIVE_PAYMENTS": _flag("ALLOW_LIVE_PAYMENTS"),
        "ALLOW_SIMULATED_PAYMENTS": _flag("ALLOW_SIMULATED_PAYMENTS"),
        "HOLD_MINUTES": int(os.environ.get("HOLD_MINUTES", "30")),
        "LOCK_TIMEOUT_MS": int(os.environ.get("LOCK_TIMEOUT_MS", "5000")),
        # Larger bodies get 413 before they are read (Flask checks Content-Length).
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "tickets@localhost"),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "SESSION_COOKIE_SECURE": env == "production",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Every page sends `Referrer-Policy: no-referrer` (order links are keys), so
        # browsers send no Referer and Flask-WTF's HTTPS Referer check would refuse
        # every form; the session-bound CSRF token and SameSite cookies remain.
        "WTF_CSRF_SSL_STRICT": False,
    }


def normalize_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the URL comes in."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def check(config: dict) -> None:
    """Fail fast on settings that would be unsafe to run with."""
    production = config.get("APP_ENV") == "production"
    if production and config.get("SECRET_KEY") in ("", DEV_SECRET_KEY, None):
        raise ConfigError(
            "SECRET_KEY is not set: production refuses to start without a real "
            "secret key (set SECRET_KEY to a long random string)."
        )
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = DEV_SECRET_KEY
    key = config.get("STRIPE_SECRET_KEY") or ""
    simulated = not key and not config.get("STRIPE_API_BASE")
    if production and simulated and not config.get("ALLOW_SIMULATED_PAYMENTS"):
        raise ConfigError(
            "STRIPE_SECRET_KEY is not set: production would take simulated payments "
            "from the built-in Stripe stand-in. Set a Stripe key, or "
            "ALLOW_SIMULATED_PAYMENTS=1 for a demo or a benchmark."
        )
    if key.startswith(("sk_live_", "rk_live_")) and not config.get("ALLOW_LIVE_PAYMENTS"):
        raise ConfigError(
            "STRIPE_SECRET_KEY is a live key: refused. This app runs in Stripe "
            "test mode; set ALLOW_LIVE_PAYMENTS=1 only if you really mean it."
        )
