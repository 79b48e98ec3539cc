"""Secrets handed to people (API tokens, order links): random, stored hashed.

They carry 256 random bits, so a fast SHA-256 is enough to store them; the
plain value exists only in the response that creates it.
"""

import hashlib
import hmac
import secrets


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def secret_matches(value: str | None, stored_hash: str | None) -> bool:
    if not value or not stored_hash:
        return False
    return hmac.compare_digest(hash_secret(value), stored_hash)


def derived_secret(key: str, purpose: str, prefix: str) -> str:
    """A stable secret for demo data, so that re-seeding prints the same token."""
    digest = hmac.new(key.encode(), purpose.encode(), hashlib.sha256).hexdigest()
    return f"{prefix}_{digest[:43]}"
