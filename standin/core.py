"""The stand-in's state and clock, shared by its API, hosted page and admin routes."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import stripe

from standin.store import Store, Tx
from standin.webhooks import Dispatcher, parse_schedule


class StandIn:
    """One simulated Stripe account: its store and its webhook endpoint."""

    def __init__(self, config: dict):
        self.config = config
        self.store = Store(config["STANDIN_DB"])
        self.public_url = (config.get("STANDIN_PUBLIC_URL") or "").rstrip("/")
        self.api_key = config["STANDIN_API_KEY"]
        # Checkout redirects must lead back under this (the shop's BASE_URL).
        self.allowed_origin = config["STANDIN_ALLOWED_ORIGIN"].rstrip("/")
        # The simulated account's payout currency (as the app's
        # STRIPE_SETTLEMENT_CURRENCY, which it follows by default).
        self.settlement_currency = (
            config.get("STANDIN_SETTLEMENT_CURRENCY")
            or os.environ.get("STRIPE_SETTLEMENT_CURRENCY")
            or "usd"
        ).lower()
        # Seconds after a payment until its charge's balance transaction
        # appears (null until then, then charge.updated), as Stripe sometimes
        # does; 0: at once.
        self.balance_transaction_delay = float(
            config.get("STANDIN_BALANCE_TRANSACTION_DELAY_SECONDS") or 0
        )
        # Seconds every API answer (/v1/...) waits first: a slow Stripe, for benchmarks.
        self.api_delay = float(config.get("STANDIN_API_DELAY_SECONDS") or 0)
        self.webhooks = Dispatcher(
            self.store,
            url=config.get("STANDIN_WEBHOOK_URL") or "",
            secret=config.get("STANDIN_WEBHOOK_SECRET") or "",
            mode=config.get("STANDIN_WEBHOOK_MODE") or "async",
            api_version=config.get("STANDIN_API_VERSION") or stripe.api_version,
            attempts=int(config.get("STANDIN_WEBHOOK_ATTEMPTS", 4)),
            backoff_seconds=float(config.get("STANDIN_WEBHOOK_BACKOFF_SECONDS", 0.5)),
            schedule=parse_schedule(config.get("STANDIN_WEBHOOK_SCHEDULE")),
        )

    def now(self) -> int:
        return int(time.time())

    def emit(self, tx: Tx, event_type: str, obj: dict) -> dict:
        return self.webhooks.record(tx, event_type, obj, self.now())

    @contextmanager
    def unit_of_work(self, request_info: dict | None = None) -> Iterator[Tx]:
        """A write transaction; the events it recorded go out after the commit."""
        with self.store.write() as tx:
            if request_info:
                tx.request_info = request_info
            yield tx
            event_ids = list(tx.new_event_ids)
        self.webhooks.dispatch(event_ids)
