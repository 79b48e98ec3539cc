"""Run the stand-in alone, on its own origin:
`python -m standin --port 12111`.

Started with the app's own environment (SECRET_KEY, BASE_URL and, if set,
STRIPE_WEBHOOK_SECRET) it derives the same API key and webhook secret the
app uses, accepts redirects only under BASE_URL and posts events to
BASE_URL/webhooks/stripe; each can be given explicitly instead.
"""

import argparse
import os

from werkzeug.serving import run_simple

from standin import create_standin_app
from ticketing.payments import gateway


def _env(*names: str) -> str:
    return next((os.environ[name] for name in names if os.environ.get(name)), "")


def _defaults() -> dict:
    """What the app in this same environment would use."""
    secret_key = os.environ.get("SECRET_KEY", "")
    base_url = os.environ.get("BASE_URL", "").rstrip("/")
    derived = bool(secret_key)
    return {
        "api_key": _env("STANDIN_API_KEY")
        or (gateway.standin_api_key(secret_key) if derived else ""),
        "allowed_origin": _env("STANDIN_ALLOWED_ORIGIN", "BASE_URL").rstrip("/"),
        "webhook_url": _env("STANDIN_WEBHOOK_URL")
        or (f"{base_url}/webhooks/stripe" if base_url else ""),
        "webhook_secret": _env("STANDIN_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET")
        or (gateway.derived_webhook_secret(secret_key) if derived else ""),
    }


def main(argv=None) -> None:
    defaults = _defaults()
    parser = argparse.ArgumentParser(description="Offline Stripe stand-in (test mode only).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--db", default=os.environ.get("STANDIN_DB", ""))
    parser.add_argument("--public-url", default=os.environ.get("STANDIN_PUBLIC_URL", ""))
    parser.add_argument(
        "--api-key",
        default=defaults["api_key"],
        help="the one sk_test_... key to accept (default: STANDIN_API_KEY, else derived "
        "from SECRET_KEY as the app does)",
    )
    parser.add_argument(
        "--allowed-origin",
        default=defaults["allowed_origin"],
        help="the shop's BASE_URL: checkout redirects must lead under it",
    )
    parser.add_argument("--webhook-url", default=defaults["webhook_url"])
    parser.add_argument("--webhook-secret", default=defaults["webhook_secret"])
    parser.add_argument(
        "--webhook-mode",
        choices=("async", "sync", "off"),
        default=os.environ.get("STANDIN_WEBHOOK_MODE", "async"),
    )
    parser.add_argument(
        "--webhook-schedule",
        default=os.environ.get("STANDIN_WEBHOOK_SCHEDULE", ""),
        help='seconds between retries ("0.1,1,5"), or "stripe": further apart over three days',
    )
    parser.add_argument(
        "--api-delay",
        type=float,
        default=float(os.environ.get("STANDIN_API_DELAY_SECONDS") or 0),
        help="seconds every API answer waits first (a slow Stripe)",
    )
    args = parser.parse_args(argv)
    if not args.api_key:
        parser.error("needs --api-key (STANDIN_API_KEY) or SECRET_KEY to derive the app's key")
    if not args.allowed_origin:
        parser.error("needs --allowed-origin (STANDIN_ALLOWED_ORIGIN) or BASE_URL")
    if args.webhook_url and not args.webhook_secret:
        parser.error("--webhook-url needs --webhook-secret (whsec_...) to sign the events")
    try:
        app = create_standin_app(
            {
                "STANDIN_API_KEY": args.api_key,
                "STANDIN_ALLOWED_ORIGIN": args.allowed_origin,
                "STANDIN_DB": args.db,
                "STANDIN_PUBLIC_URL": args.public_url,
                "STANDIN_WEBHOOK_URL": args.webhook_url,
                "STANDIN_WEBHOOK_SECRET": args.webhook_secret,
                "STANDIN_WEBHOOK_MODE": args.webhook_mode,
                "STANDIN_WEBHOOK_SCHEDULE": args.webhook_schedule,
                "STANDIN_API_DELAY_SECONDS": args.api_delay,
            }
        )
    except ValueError as exc:
        parser.error(str(exc))
    print(f"Stripe stand-in on http://{args.host}:{args.port} (API base for the SDK)")  # noqa: T201
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
