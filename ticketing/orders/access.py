"""The private access token of an order: the buyer's key to its page and API.

It is derived from SECRET_KEY and the order's identity, so the ticket email
(sent later, from a webhook) can rebuild the link; only its SHA-256 is stored,
and a presented token is checked against that hash.
"""

import base64
import hashlib
import hmac

from flask import current_app

from ticketing.accounts.tokens import hash_secret, secret_matches
from ticketing.orders.models import Order


def access_token_for(order: Order) -> str:
    """The order's token; needs order.id and order.created_at (flush first)."""
    return token_for(order.id, order.created_at)


def token_for(order_id: int, created_at) -> str:
    """The token of the order with this id and creation time."""
    message = f"order-access:{order_id}:{created_at.isoformat()}".encode()
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return "ord_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def seal(order: Order) -> str:
    """Store the hash of the order's token and return the token (to show once)."""
    token = access_token_for(order)
    order.access_token_hash = hash_secret(token)
    return token


def token_matches(order: Order | None, token: str | None) -> bool:
    return order is not None and secret_matches(token, order.access_token_hash)
