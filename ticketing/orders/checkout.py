"""A checkout as the request's unit of work: hold seats, then open Stripe Checkout.

This is the one place besides views that commits, and it commits twice on
purpose: the hold is committed BEFORE the call to Stripe, so no database lock
is held while we wait on the network (what Stripe needs is read before that
commit, so nothing reloads the order during the call); then the session id is
committed. If Stripe cannot be reached the hold is released at once.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app, url_for
from sqlalchemy import bindparam, update

from ticketing.errors import DomainError
from ticketing.extensions import db
from ticketing.orders import services
from ticketing.orders.models import Order
from ticketing.payments import gateway


class PaymentsUnavailable(DomainError):
    status = 503
    code = "payments_unavailable"


def _base_url() -> str:
    return current_app.config["BASE_URL"]


def success_url(order: Order, token: str) -> str:
    path = url_for("orders.checkout_success", order_id=order.id, token=token)
    return f"{_base_url()}{path}&session_id={{CHECKOUT_SESSION_ID}}"


def cancel_url(order: Order, token: str) -> str:
    return _base_url() + url_for("orders.checkout_cancel", order_id=order.id, token=token)


def stripe_lines(order: Order) -> list[tuple[str, int, int]]:
    event = order.event
    lines = [
        (f"{event.name}: {line.ticket_type.name}", line.unit_price_minor, line.quantity)
        for line in order.lines
    ]
    if order.donation_minor:
        lines.append((f"Donation: {event.beneficiary or event.name}", order.donation_minor, 1))
    return lines


def checkout_request(order: Order, token: str) -> gateway.CheckoutRequest:
    return gateway.CheckoutRequest(
        order_id=order.id,
        currency=order.currency,
        buyer_email=order.buyer_email,
        expires_at=order.expires_at,
        lines=stripe_lines(order),
        success_url=success_url(order, token),
        cancel_url=cancel_url(order, token),
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


SET_SESSION_ID = (
    update(Order)
    .where(Order.id == bindparam("order_id"))
    .values(stripe_checkout_session_id=bindparam("session_id"))
)


def place_order(event, **request) -> PlacedOrder:
    """Hold the seats and open the Stripe checkout (a free order has no checkout url)."""
    order, token = services.create_order(event, **request)
    placed = PlacedOrder(
        order.id, order.status, order.total_minor, order.currency, order.expires_at, token
    )
    stripe_request = None if order.status == "paid" else checkout_request(order, token)
    db.session.commit()
    if stripe_request is None:
        return placed
    try:
        session = gateway.create_checkout_session(stripe_request)
    except gateway.StripeError as exc:
        _release_after_failure(placed.id, exc)
    db.session.connection().execute(
        SET_SESSION_ID, {"order_id": placed.id, "session_id": session.id}
    )
    db.session.commit()
    return replace(placed, checkout_url=session.url)


def _release_after_failure(order_id: int, exc: Exception):
    db.session.rollback()
    services.release_hold(services.lock_order(order_id), "canceled")
    db.session.commit()
    current_app.logger.error("Stripe checkout for order %s failed: %s", order_id, exc)
    raise PaymentsUnavailable(
        "Card payments are unavailable right now; your seats were released. "
        "Please try again in a few minutes."
    ) from exc
