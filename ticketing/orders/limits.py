"""How many seat holds one client may take: per address, per buyer email, and
open at once per email and event.

Without limits five anonymous calls held a whole tier for half an hour,
again and again. Flask-Limiter counts holds per client address and per buyer
email (in Redis in production, so every worker shares the count); only a
hold that was made counts (201 from the API, 303 from the buy form). The cap
on open holds per email and event is checked by the order's own INSERT
(orders/services.py), so checkout costs no extra round trip.

The limits are decorator limits, checked by the decorator on these two views
only: no default limit exists, so the door scan never pays for them.
"""

from flask import current_app, request
from flask_babel import lazy_gettext

from ticketing.extensions import limiter

DEFAULT_HOLD_RATE_LIMIT = "10 per hour"  # per client address
DEFAULT_HOLD_EMAIL_RATE_LIMIT = "5 per hour"  # per buyer email
DEFAULT_HOLDS_PER_EMAIL = 2  # pending holds at once, per buyer email and event
ADDRESS_MESSAGE = lazy_gettext(
    "Too many orders from your network in a short time; please try again later, "
    "or finish paying for the seats you already hold."
)
EMAIL_MESSAGE = lazy_gettext(
    "Too many orders for this email address in a short time; please try again later, "
    "or finish paying for the seats you already hold."
)


def _setting(name: str, default):
    value = current_app.config.get(name)
    return default if value is None else value


# What Flask-Limiter is handed for an empty setting (the limit is then exempt anyway).
NO_LIMIT = "1000000 per second"


def address_limit() -> str:
    return _setting("HOLD_RATE_LIMIT", DEFAULT_HOLD_RATE_LIMIT)


def email_limit() -> str:
    return _setting("HOLD_EMAIL_RATE_LIMIT", DEFAULT_HOLD_EMAIL_RATE_LIMIT)


def holds_per_email() -> int:
    """Open holds one email may have on one event; 0 means no cap."""
    return int(_setting("HOLDS_PER_EMAIL", DEFAULT_HOLDS_PER_EMAIL))


def buyer_email_key() -> str:
    """The buyer's email as typed in the request (API JSON or the buy form), folded."""
    if request.is_json:
        body = request.get_json(silent=True)
        value = body.get("buyer_email") if isinstance(body, dict) else None
    else:
        value = request.form.get("buyer_email")
    return value.strip().lower() if isinstance(value, str) else ""


def _made_a_hold(response) -> bool:
    return response.status_code in (201, 303)


def limit_holds(view):
    """Both limits on a view that makes holds (shared by the API and the buy form)."""
    per_email = limiter.shared_limit(
        lambda: email_limit() or NO_LIMIT,
        scope="holds-per-email",
        key_func=buyer_email_key,
        error_message=lambda: str(EMAIL_MESSAGE),
        deduct_when=_made_a_hold,
        exempt_when=lambda: not email_limit() or not buyer_email_key(),
    )
    per_address = limiter.shared_limit(
        lambda: address_limit() or NO_LIMIT,
        scope="holds-per-address",
        error_message=lambda: str(ADDRESS_MESSAGE),
        deduct_when=_made_a_hold,
        exempt_when=lambda: not address_limit(),
    )
    return per_address(per_email(view))
