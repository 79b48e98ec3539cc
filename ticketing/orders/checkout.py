"""A checkout as the request's unit of work: hold seats, then open Stripe Checkout.

It commits twice on purpose: the hold is committed BEFORE the call to
Stripe, so no database lock is held while we wait on the network (what
Stripe needs is read before that commit, so nothing reloads the order during
the call); then the session id is committed. If Stripe cannot be reached the
hold is released at once.

Besides views and CLI commands, the units of work that commit are the ones
that must not hold a transaction across a network call: this checkout,
sending a refund request (payments/refunding.py: request, Stripe, record),
the ticket email outbox (tickets/delivery.py, after the payment's commit)
and the Stripe sweeps run by `reconcile-stripe` (payments/reconcile.py,
payments/fees.py: one commit per repaired object). Every other service
only flushes.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app, url_for
from flask_babel import gettext
from sqlalchemy import bindparam, select, update

from ticketing import compiled_sql
from ticketing.errors import DomainError, ValidationFailed
from ticketing.events.models import Event
from ticketing.extensions import db
from ticketing.orders import reservations, services
from ticketing.orders.models import Order, OrderStatus
from ticketing.orders.signals import order_reserved
from ticketing.payments import gateway


class PaymentsUnavailable(DomainError):
    status = 503
    code = "payments_unavailable"


def _base_url() -> str:
    return current_app.config["BASE_URL"]


def success_url(order_id: int, token: str) -> str:
    path = url_for("orders.checkout_success", order_id=order_id, token=token)
    return f"{_base_url()}{path}&session_id={{CHECKOUT_SESSION_ID}}"


def cancel_url(order_id: int, token: str) -> str:
    return _base_url() + url_for("orders.checkout_cancel", order_id=order_id, token=token)


def stripe_lines(event_name: str, beneficiary: str, hold: services.Hold) -> list:
    """(name, unit amount in minor units, quantity) per line Stripe shows."""
    lines = [
        (f"{event_name}: {line.name}", line.unit_price_minor, line.quantity) for line in hold.lines
    ]
    if hold.donation_minor:
        lines.append((f"Donation: {beneficiary or event_name}", hold.donation_minor, 1))
    return lines


def checkout_request(event_name: str, beneficiary: str, hold) -> gateway.CheckoutRequest:
    return gateway.CheckoutRequest(
        order_id=hold.id,
        currency=hold.currency,
        buyer_email=hold.buyer_email,
        expires_at=hold.expires_at,
        lines=stripe_lines(event_name, beneficiary, hold),
        success_url=success_url(hold.id, hold.token),
        cancel_url=cancel_url(hold.id, hold.token),
        idempotency_key=hold.checkout_key,
    )


@dataclass(frozen=True)
class PlacedOrder:
    """What the buyer is told, read before the first commit (nothing reloads the order)."""

    id: int
    status: str
    total_minor: int
    currency: str
    expires_at: datetime | None
    access_token: str
    checkout_url: str | None = None
    # A reservation's (API.md "Paying without a card").
    reserved_until: datetime | None = None
    amount_due_minor: int | None = None
    payment_reference: str | None = None
    payment_method: str = "card"


EVENT_ON_SALE = select(
    Event.id,
    Event.name,
    Event.beneficiary,
    Event.currency,
    Event.published,
    Event.starts_at,
    Event.payment_methods,
    Event.reservations_until,
    Event.unpaid_seats_cap,
).where(Event.id == bindparam("event_id"))
SET_SESSION_ID = (
    update(Order)
    .where(Order.id == bindparam("order_id"))
    .values(stripe_checkout_session_id=bindparam("session_id"))
)


def event_on_sale(event_id: int):
    """What checkout needs of a published event (a row, not the ORM object), or None."""
    event = compiled_sql.first(EVENT_ON_SALE, {"event_id": event_id})
    return event if event is not None and event.published else None


def place_order(event, payment_method: str = "card", **request) -> PlacedOrder:
    """Hold the seats and open the Stripe checkout (a free order has no checkout url);
    with `door` or `transfer`, reserve them to be paid so (no Stripe at all).

    `event` needs what EVENT_ON_SALE reads (a row will do).
    """
    event_name, beneficiary = event.name, event.beneficiary
    plan = reservations.plan_for(event, payment_method)
    hold = services.create_order(event, reservation=plan, **request)
    # At once: the claim holds the tier's row lock until this commit, and
    # every buyer of the tier waits for it.
    db.session.commit()
    placed = PlacedOrder(
        hold.id, hold.status, hold.total_minor, hold.currency, hold.expires_at, hold.token
    )
    if hold.status == OrderStatus.PAID:
        return placed
    if hold.status == OrderStatus.RESERVED:
        placed = reservations.placed(placed, hold.id)
        db.session.commit()
        order_reserved.send(current_app._get_current_object(), order_id=placed.id)
        return placed
    stripe_request = checkout_request(event_name, beneficiary, hold)
    try:
        session = gateway.create_checkout_session(stripe_request)
    except gateway.StripeError as exc:
        _release_after_failure(placed.id, exc)
    compiled_sql.execute(SET_SESSION_ID, {"order_id": placed.id, "session_id": session.id})
    db.session.commit()
    return replace(placed, checkout_url=session.url)


def _release_after_failure(order_id: int, exc: Exception):
    """Release the hold; Stripe refusing the request (a 4xx) is the buyer's 422."""
    db.session.rollback()
    services.release_hold(services.lock_order(order_id), OrderStatus.CANCELED)
    db.session.commit()
    current_app.logger.error("Stripe checkout for order %s failed: %s", order_id, exc)
    if gateway.is_refusal(exc):
        raise ValidationFailed(_refusal_message(exc), field="total_minor") from exc
    raise PaymentsUnavailable(
        gettext(
            "Card payments are unavailable right now; your seats were released. "
            "Please try again in a few minutes."
        )
    ) from exc


def _refusal_message(exc: Exception) -> str:
    if gateway.error_code(exc) == "amount_too_small":
        return gettext(
            "The total is below the smallest amount Stripe can charge for this organizer "
            "(after conversion to %(currency)s). Add tickets or a donation and try again; "
            "your seats were released.",
            currency=services.settlement_currency(),
        )
    reason = getattr(exc, "user_message", None) or gettext("it cannot take this payment")
    return gettext(
        "Stripe refused this payment: %(reason)s Your seats were released.", reason=reason
    )
