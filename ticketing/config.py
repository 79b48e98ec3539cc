"""Settings from the environment. Production is the default.

Only APP_ENV=development runs on development defaults (a per-install secret
key in instance/, SQLite, a local BASE_URL, the Stripe stand-in in-process).
Any other value, or none at all, is production: it refuses to start until
every setting it needs is there, and says which ones are missing. Live
Stripe keys are refused unless ALLOW_LIVE_PAYMENTS=1.
"""

import os
import secrets

from ticketing.money import is_known_currency

DEVELOPMENT = "development"
PRODUCTION = "production"
MIN_SECRET_KEY_BYTES = 32
DEV_SECRET_KEY_FILE = "dev-secret-key"  # noqa: S105  (a file name)
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


class ConfigError(RuntimeError):
    """Raised at start-up when the settings are unsafe or incomplete."""


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: str) -> int:
    raw = os.environ.get(name, default).strip()
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None


def _seconds(name: str, default: str) -> float:
    raw = os.environ.get(name, default).strip()
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}.") from None


def task_settings() -> dict:
    """The task queue and its worker (ticketing/tasks/): periods in seconds, 0 turns one off."""
    return {
        # A Redis queue when REDIS_URL is set, else SQLite at TASK_QUEUE_PATH
        # (default instance/tasks.db); workers and web processes must agree.
        "TASK_QUEUE_NAME": os.environ.get("TASK_QUEUE_NAME", "ticketing"),
        "TASK_QUEUE_PATH": os.environ.get("TASK_QUEUE_PATH", ""),
        "WORKER_THREADS": _int("WORKER_THREADS", "2"),
        # Threads of one worker that may talk to SMTP (0: half of them, at least
        # one), so that a hanging mail server never holds every thread.
        "MAIL_LANES": _int("MAIL_LANES", "0"),
        "SWEEP_SECONDS": _seconds("SWEEP_SECONDS", "30"),
        # How long a queued task about one row holds back the sweep's copies of it
        # (tasks/queue.py); after that its task is taken for lost.
        "TASK_MARK_SECONDS": _seconds("TASK_MARK_SECONDS", "120"),
        "EXPIRE_HOLDS_SECONDS": _seconds("EXPIRE_HOLDS_SECONDS", "60"),
        "FEES_SECONDS": _seconds("FEES_SECONDS", "600"),
        "RECONCILE_SECONDS": _seconds("RECONCILE_SECONDS", "3600"),
        "EMAIL_MAX_ATTEMPTS": _int("EMAIL_MAX_ATTEMPTS", "5"),
        "EMAIL_RETRY_SECONDS": _seconds("EMAIL_RETRY_SECONDS", "60"),
        "EMAIL_RETRY_MAX_SECONDS": _seconds("EMAIL_RETRY_MAX_SECONDS", "3600"),
        "EMAIL_LEASE_SECONDS": _seconds("EMAIL_LEASE_SECONDS", "300"),
        "WORKER_STALE_SECONDS": _seconds("WORKER_STALE_SECONDS", "90"),
        "MAIL_TIMEOUT": _seconds("MAIL_TIMEOUT", "15"),
    }


def from_environment(instance_path: str) -> dict:
    """Read every setting the app uses from the environment (no defaults that
    would be unsafe in production: check() adds development's own)."""
    database_url = os.environ.get("DATABASE_URL", "")
    return {
        "APP_ENV": os.environ.get("APP_ENV", PRODUCTION).strip().lower(),
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url) if database_url else "",
        "BASE_URL": os.environ.get("BASE_URL", "").rstrip("/"),
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", "").rstrip("/"),
        # The Stripe account's settlement (payout) currency: minimum charges
        # apply after conversion to it.
        "STRIPE_SETTLEMENT_CURRENCY": os.environ.get("STRIPE_SETTLEMENT_CURRENCY", "USD")
        .strip()
        .upper(),
        "ALLOW_LIVE_PAYMENTS": _flag("ALLOW_LIVE_PAYMENTS"),
        "ALLOW_SIMULATED_PAYMENTS": _flag("ALLOW_SIMULATED_PAYMENTS"),
        "HOLD_MINUTES": int(os.environ.get("HOLD_MINUTES", "30")),
        # Seat holds per client address and per buyer email (Flask-Limiter
        # strings; empty: no limit), and unpaid holds per email and event (0: no cap).
        "HOLD_RATE_LIMIT": os.environ.get("HOLD_RATE_LIMIT", "10 per hour"),
        "HOLD_EMAIL_RATE_LIMIT": os.environ.get("HOLD_EMAIL_RATE_LIMIT", "5 per hour"),
        "HOLDS_PER_EMAIL": int(os.environ.get("HOLDS_PER_EMAIL", "2")),
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
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", "0"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Every page sends `Referrer-Policy: no-referrer` (order links are keys), so
        # browsers send no Referer and Flask-WTF's HTTPS Referer check would refuse
        # every form; the session-bound CSRF token and SameSite cookies remain.
        "WTF_CSRF_SSL_STRICT": False,
        **task_settings(),
    }


def normalize_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the URL comes in."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_development(config) -> bool:
    return config.get("APP_ENV") == DEVELOPMENT


def check(config: dict, instance_path: str = "instance") -> None:
    """Fail fast on settings that would be unsafe to run with.

    APP_ENV becomes exactly "development" or "production": a typo, "prod"
    or "testing" is production, never a quiet development mode.
    """
    development = str(config.get("APP_ENV") or "").strip().lower() == DEVELOPMENT
    config["APP_ENV"] = DEVELOPMENT if development else PRODUCTION
    if development:
        _development_defaults(config, instance_path)
    else:
        problems = production_problems(config)
        if problems:
            raise ConfigError(
                "Refusing to start in production (APP_ENV is not 'development'). "
                "Missing or unsafe settings:\n"
                + "\n".join(f"  - {problem}" for problem in problems)
                + "\nSee README.md, 'Running in production'. For a local try-out "
                "use `make run` (APP_ENV=development)."
            )
    config["SESSION_COOKIE_SECURE"] = not development
    key = config.get("STRIPE_SECRET_KEY") or ""
    settlement = str(config.get("STRIPE_SETTLEMENT_CURRENCY") or "USD").upper()
    if not is_known_currency(settlement):
        raise ConfigError(
            f"STRIPE_SETTLEMENT_CURRENCY={settlement!r} is not an ISO 4217 currency "
            "(use the currency of the Stripe account's payouts, e.g. USD or EUR)."
        )
    config["STRIPE_SETTLEMENT_CURRENCY"] = settlement
    if key.startswith(("sk_live_", "rk_live_")) and not config.get("ALLOW_LIVE_PAYMENTS"):
        raise ConfigError(
            "STRIPE_SECRET_KEY is a live key: refused. This app runs in Stripe "
            "test mode; set ALLOW_LIVE_PAYMENTS=1 only if you really mean it."
        )


def production_problems(config: dict) -> list[str]:
    """Every setting production lacks, each with what to set."""
    problems = []
    if len((config.get("SECRET_KEY") or "").encode()) < MIN_SECRET_KEY_BYTES:
        problems.append(
            f"SECRET_KEY: at least {MIN_SECRET_KEY_BYTES} bytes of random text, e.g. "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        problems.append("DATABASE_URL: postgresql://user:password@host/database")
    if not config.get("REDIS_URL"):
        problems.append(
            "REDIS_URL: redis://host:6379/0 (rate limits must be shared by every worker)"
        )
    if not config.get("BASE_URL"):
        problems.append("BASE_URL: the public https:// address (links in emails, Stripe)")
    problems.extend(_payment_problems(config))
    return problems


def _payment_problems(config: dict) -> list[str]:
    if config.get("STRIPE_SECRET_KEY"):
        if not config.get("STRIPE_WEBHOOK_SECRET"):
            return ["STRIPE_WEBHOOK_SECRET: the whsec_... secret of your Stripe webhook endpoint"]
        return []
    if not config.get("ALLOW_SIMULATED_PAYMENTS"):
        return [
            "STRIPE_SECRET_KEY (and STRIPE_WEBHOOK_SECRET): without them production would "
            "take simulated payments; set ALLOW_SIMULATED_PAYMENTS=1 only for a demo or a "
            "benchmark"
        ]
    if not config.get("STRIPE_API_BASE"):
        return [
            "STRIPE_API_BASE: simulated payments in production need the Stripe stand-in on "
            "its own origin (python -m standin --port 12111, then "
            "STRIPE_API_BASE=http://127.0.0.1:12111); it is never mounted inside a "
            "production app"
        ]
    return []


def _development_defaults(config: dict, instance_path: str) -> None:
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = development_secret_key(instance_path)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            instance_path, "ticketing.db"
        )
    if not config.get("BASE_URL"):
        config["BASE_URL"] = DEFAULT_BASE_URL


def development_secret_key(instance_path: str) -> str:
    """A random key made once per install and kept in instance/ (never a shared
    constant: a key everybody knows lets anybody forge a session)."""
    path = os.path.join(instance_path, DEV_SECRET_KEY_FILE)
    if not os.path.exists(path):
        os.makedirs(instance_path, exist_ok=True)
        draft = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)  # atomic: the first process to get here wins
        except FileExistsError:
            pass
        finally:
            os.remove(draft)
    with open(path) as handle:
        return handle.read().strip()
