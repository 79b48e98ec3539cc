"""The one door to Stripe: a StripeClient built from the settings.

With STRIPE_SECRET_KEY set the app talks to Stripe (test mode) unchanged.
Without one it talks to the offline stand-in through the very same SDK code
path, only at another base address. Objects come back as StripeObjects.
"""

import functools
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

import stripe
from flask import current_app

from ticketing.money import stripe_amount, to_charge_currency
from ticketing.speedups.stripe_http import HTTPClient

# Stripe answers in well under a second; with two retries, a checkout still
# fails (and releases its hold) before gunicorn's 60 s worker timeout.
REQUEST_TIMEOUT_SECONDS = 8
SESSION_EXPAND = [
    "payment_intent.latest_charge.balance_transaction",
    "payment_intent.latest_charge.refunds",  # refunds made before we heard of the payment
]


def is_offline(config) -> bool:
    """True when the built-in stand-in takes the payments (no key configured)."""
    return not config.get("STRIPE_SECRET_KEY")


def api_base(config) -> str | None:
    if config.get("STRIPE_API_BASE"):
        return config["STRIPE_API_BASE"]
    if is_offline(config):
        return config["BASE_URL"] + "/_stripe"
    return None


def webhook_secret(config) -> str:
    """The configured secret, or one derived from SECRET_KEY for the stand-in."""
    if config.get("STRIPE_WEBHOOK_SECRET"):
        return config["STRIPE_WEBHOOK_SECRET"]
    return derived_webhook_secret(config["SECRET_KEY"])


def derived_webhook_secret(secret_key: str) -> str:
    digest = hmac.new(secret_key.encode(), b"standin-webhook-secret", hashlib.sha256)
    return "whsec_" + digest.hexdigest()[:32]


@functools.lru_cache(maxsize=8)
def standin_api_key(secret_key: str) -> str:
    """The one key the offline stand-in accepts: derived from this install's
    SECRET_KEY, so nobody else can read its sessions or refund its orders."""
    digest = hmac.new(secret_key.encode(), b"standin-api-key", hashlib.sha256)
    return "sk_test_standin_" + digest.hexdigest()[:40]


def client() -> stripe.StripeClient:
    """A client per (key, base), kept on the app; network retries on."""
    config = current_app.config
    key = config.get("STRIPE_SECRET_KEY") or standin_api_key(config["SECRET_KEY"])
    base = api_base(config)
    cache = current_app.extensions.setdefault("stripe_clients", {})
    if (key, base) not in cache:
        cache[(key, base)] = stripe.StripeClient(
            key,
            base_addresses={"api": base} if base else None,
            max_network_retries=2,
            http_client=HTTPClient(base, timeout=REQUEST_TIMEOUT_SECONDS),
        )
    return cache[(key, base)]


@dataclass(frozen=True)
class CheckoutRequest:
    """What Stripe needs to know of an order, read before the hold's commit."""

    order_id: int
    currency: str
    buyer_email: str
    expires_at: datetime
    lines: list[tuple[str, int, int]]  # (name, unit amount in minor units, quantity)
    success_url: str
    cancel_url: str
    idempotency_key: str  # random, stored with the order (orders.checkout_key)


def create_checkout_session(request: CheckoutRequest):
    """One Checkout Session per order, under the order's own random idempotency key."""
    line_items = [
        {
            "price_data": {
                "currency": request.currency.lower(),
                "unit_amount": stripe_amount(unit_minor, request.currency),
                "product_data": {"name": name},
            },
            "quantity": quantity,
        }
        for name, unit_minor, quantity in request.lines
    ]
    metadata = {"order_id": str(request.order_id)}
    params = {
        "mode": "payment",
        "line_items": line_items,
        "metadata": metadata,
        "client_reference_id": str(request.order_id),
        "payment_intent_data": {"metadata": metadata},
        "customer_email": request.buyer_email,
        "success_url": request.success_url,
        "cancel_url": request.cancel_url,
        "expires_at": int(request.expires_at.timestamp()),
    }
    return client().v1.checkout.sessions.create(
        params, options={"idempotency_key": request.idempotency_key}
    )


def retrieve_session(session_id: str):
    """Re-read a session (never trust a webhook payload), with its payment expanded."""
    return client().v1.checkout.sessions.retrieve(session_id, {"expand": SESSION_EXPAND})


def expire_session(session_id: str):
    return client().v1.checkout.sessions.expire(session_id)


def retrieve_charge(charge_id: str):
    return client().v1.charges.retrieve(charge_id, {"expand": ["balance_transaction"]})


def retrieve_dispute(dispute_id: str):
    return client().v1.disputes.retrieve(dispute_id)


def retrieve_refund(refund_id: str):
    return client().v1.refunds.retrieve(refund_id)


def list_disputes(charge_id: str) -> list:
    return list(client().v1.disputes.list({"charge": charge_id, "limit": 100}).auto_paging_iter())


def session_of_payment_intent(payment_intent_id: str) -> str | None:
    """The id of the Checkout Session that made this payment, if one did."""
    found = client().v1.checkout.sessions.list({"payment_intent": payment_intent_id, "limit": 1})
    return found.data[0].id if found.data else None


def recent(kind: str, since: int, **params):
    """Every checkout session, charge or refund created since `since` (unix), page by page."""
    resource = {
        "checkout_sessions": lambda: client().v1.checkout.sessions,
        "charges": lambda: client().v1.charges,
        "refunds": lambda: client().v1.refunds,
    }[kind]()
    return resource.list({"created": {"gte": since}, "limit": 100, **params}).auto_paging_iter()


def list_refunds(payment_intent_id: str):
    return client().v1.refunds.list({"payment_intent": payment_intent_id, "limit": 100})


def create_refund(payment_intent_id: str, amount_minor: int, order_id: int, key: str):
    return client().v1.refunds.create(
        {
            "payment_intent": payment_intent_id,
            "amount": amount_minor,
            "metadata": {"order_id": str(order_id)},
        },
        options={"idempotency_key": key},
    )


def construct_event(raw_body: bytes, signature_header: str | None):
    """Verify Stripe's signature on the raw body (raises on a bad or stale one)."""
    return client().construct_event(raw_body, signature_header, webhook_secret(current_app.config))


def event_from_payload(payload: str):
    """An event verified when it was received, rebuilt from the kept body (the worker's copy)."""
    return client().construct_event_without_verification(payload)


def fee_of(payment_intent) -> int | None:
    """Stripe's fee from the charge's balance transaction, when Stripe has it yet."""
    charge = getattr(payment_intent, "latest_charge", None) if payment_intent else None
    return fee_of_charge(charge) if not isinstance(charge, str) else None


def fee_of_charge(charge) -> int | None:
    """The charge's fee in the charge's (the event's) currency, or None while
    Stripe has no balance transaction. Stripe books the fee in the settlement
    currency; its exchange_rate converts it back (see money.to_charge_currency)."""
    txn = getattr(charge, "balance_transaction", None) if charge else None
    if txn is None or isinstance(txn, str):
        return None
    return to_charge_currency(
        int(txn.fee), txn.currency, charge.currency, getattr(txn, "exchange_rate", None)
    )


def is_refusal(exc: Exception) -> bool:
    """Stripe answered no (a 4xx other than lock or rate limits): the same request
    would be refused again, so it is the caller's input, not an outage."""
    status = getattr(exc, "http_status", None)
    return status is not None and 400 <= status < 500 and status not in (409, 429)


def error_code(exc: Exception) -> str | None:
    return getattr(exc, "code", None)


# The SDK's errors, re-exported so that no other package imports stripe.
StripeError = stripe.StripeError
SignatureError = stripe.SignatureVerificationError
InvalidRequest = stripe.InvalidRequestError
