"""Paying a reservation by card from the order page, through Stripe Checkout.

Offered while the reservation is open, the event takes cards, nothing has
been paid toward it yet (the session charges the whole total, which the
fulfilment checks) and its deadline leaves Stripe's 30 minutes. Like the
checkout, it commits before Stripe is called (no lock held while Stripe
answers), then keeps the session's id. An open session is reused, so a
second click never leaves a payable session the app would not recognise.
Paid (webhook or success page), `fulfilment.fulfil_session` settles it.
"""

from flask import current_app, url_for
from flask_babel import gettext

from ticketing.database import utcnow
from ticketing.errors import Conflict
from ticketing.extensions import db
from ticketing.money import card_currency_problem
from ticketing.orders import checkout, services
from ticketing.orders.models import Order, OrderStatus
from ticketing.payments import gateway


def card_payable(order: Order) -> bool:
    """May the buyer pay this reservation by card now?"""
    event = order.event
    return (
        order.current_status == OrderStatus.RESERVED
        and "card" in (event.payment_methods or [])
        and order.paid_minor == 0
        and card_currency_problem(order.currency) is None
        and order.expires_at - utcnow() >= services.MIN_HOLD
    )


def _lines(order: Order) -> list[tuple[str, int, int]]:
    event = order.event
    lines = [
        (f"{event.name}: {line.ticket_type.name}", line.unit_price_minor, line.quantity)
        for line in order.lines
    ]
    if order.donation_minor:
        lines.append((f"Donation: {event.beneficiary or event.name}", order.donation_minor, 1))
    return lines


def _open_session_url(session_id: str | None) -> str | None:
    if not session_id:
        return None
    try:
        session = gateway.retrieve_session(session_id)
    except gateway.StripeError:
        return None
    return session.url if getattr(session, "status", None) == "open" else None


def card_checkout_url(order_id: int, token: str) -> str:
    """The Stripe Checkout page for the reservation's amount due (commits)."""
    order = services.lock_order(order_id)
    if order is None or not card_payable(order):
        raise Conflict(gettext("This reservation cannot be paid by card now."), field="order")
    services._check_total(order.total_minor, order.currency)
    existing = order.stripe_checkout_session_id
    order.checkout_key = services.new_checkout_key()
    request = gateway.CheckoutRequest(
        order_id=order.id,
        currency=order.currency,
        buyer_email=order.buyer_email,
        expires_at=min(utcnow() + services.hold_duration(), order.expires_at),
        lines=_lines(order),
        success_url=checkout.success_url(order.id, token),
        cancel_url=current_app.config["BASE_URL"]
        + url_for("tickets.order_page", order_id=order.id, token=token),
        idempotency_key=order.checkout_key,
    )
    db.session.commit()  # no lock while Stripe answers
    reused = _open_session_url(existing)
    if reused:
        return reused
    try:
        session = gateway.create_checkout_session(request)
    except gateway.StripeError as exc:
        current_app.logger.error("Stripe checkout for reservation %s failed: %s", order_id, exc)
        raise checkout.PaymentsUnavailable(
            gettext("Card payments are unavailable right now. Your reservation stays as it was.")
        ) from exc
    order = db.session.get(Order, order_id)
    order.stripe_checkout_session_id = session.id
    db.session.commit()
    return session.url
