"""Run the stand-in alone: `python -m ticketing.payments.standin --port 12111`."""

import argparse
import os

from werkzeug.serving import run_simple

from ticketing.payments.standin import create_standin_app


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Offline Stripe stand-in (test mode only).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--db", default=os.environ.get("STANDIN_DB", ""))
    parser.add_argument("--public-url", default=os.environ.get("STANDIN_PUBLIC_URL", ""))
    parser.add_argument("--webhook-url", default=os.environ.get("STANDIN_WEBHOOK_URL", ""))
    parser.add_argument("--webhook-secret", default=os.environ.get("STANDIN_WEBHOOK_SECRET", ""))
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
    args = parser.parse_args(argv)
    if args.webhook_url and not args.webhook_secret:
        parser.error("--webhook-url needs --webhook-secret (whsec_...) to sign the events")
    app = create_standin_app(
        {
            "STANDIN_DB": args.db,
            "STANDIN_PUBLIC_URL": args.public_url,
            "STANDIN_WEBHOOK_URL": args.webhook_url,
            "STANDIN_WEBHOOK_SECRET": args.webhook_secret,
            "STANDIN_WEBHOOK_MODE": args.webhook_mode,
            "STANDIN_WEBHOOK_SCHEDULE": args.webhook_schedule,
        }
    )
    print(f"Stripe stand-in on http://{args.host}:{args.port} (API base for the SDK)")  # noqa: T201
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
