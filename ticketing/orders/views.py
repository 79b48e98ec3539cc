"""Buyer pages: submit the buy form, come back from Stripe (success or cancel)."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import OperationalError

from ticketing.database import writes_from_now
from ticketing.errors import Busy, DomainError
from ticketing.extensions import db
from ticketing.i18n import current_locale, use_default_locale
from ticketing.orders import fulfilment, reservation_card, reservations, services
from ticketing.orders.access import token_matches
from ticketing.orders.checkout import place_order
from ticketing.orders.event_pages import published_event_or_404, render_event_page
from ticketing.orders.forms import parse_buy_form
from ticketing.orders.limits import limit_holds
from ticketing.orders.models import Order, OrderStatus
from ticketing.orders.signals import order_paid, order_reserved
from ticketing.payments import gateway

bp = Blueprint("orders", __name__)


@bp.post("/events/<slug>/buy")
@limit_holds
def buy(slug: str):
    event = published_event_or_404(slug)
    form = parse_buy_form(request.form, event)
    if request.form.get("action") == "update":  # "Update total": the same form, its total
        form.errors = {
            k: v for k, v in form.errors.items() if k.startswith(("qty_", "price_", "don"))
        }
        return render_event_page(event, form, 422 if form.errors else 200)
    if not form.errors and not form.items and form.donation_minor <= 0:
        form.errors["form"] = gettext("Choose at least one ticket, or enter a donation.")
    if form.errors:
        return render_event_page(event, form, 422)
    try:
        placed = place_order(
            event,
            buyer_name=form.values["buyer_name"],
            buyer_email=form.values["buyer_email"],
            items=form.items,
            donation_minor=form.donation_minor,
            locale=current_locale(),
            payment_method=form.payment_method,
        )
    except DomainError as exc:
        db.session.rollback()
        form.errors[form.service_field(exc.field)] = exc.message
        return render_event_page(event, form, exc.status if exc.status < 500 else 503)
    if placed.checkout_url is None:
        return redirect(_order_page(placed, placed.access_token, paid=1), 303)
    return redirect(placed.checkout_url, 303)


@bp.errorhandler(RateLimitExceeded)
def too_many_holds(exc: RateLimitExceeded):
    """The buy form (the only limited page here) answers on the form, with what was typed."""
    event = published_event_or_404(request.view_args["slug"])
    form = parse_buy_form(request.form, event)
    form.errors = {"form": exc.description}
    page, _ = render_event_page(event, form, 429)
    return page, 429, dict(exc.get_headers()) | {"Content-Type": "text/html; charset=utf-8"}


def _order_page(order, token: str, **params) -> str:
    return url_for("tickets.order_page", order_id=order.id, token=token, **params)


def _buyer_order(order_id: int) -> tuple[Order, str]:
    token = request.args.get("token", "")
    order = db.session.get(Order, order_id)
    if not token_matches(order, token):
        abort(404, gettext("No such order."))
    use_default_locale(order.locale)
    return order, token


@bp.get("/checkout/<int:order_id>/success")
def checkout_success(order_id: int):
    """The buyer is back from Stripe; reconcile now in case the webhook is late.

    A GET that writes because Stripe's redirect is a GET: idempotent, as it
    pays the order only through `fulfil_session`, which pays once.
    """
    order, token = _buyer_order(order_id)
    session_id = request.args.get("session_id", "")
    ours = session_id == order.stripe_checkout_session_id
    if order.status in OrderStatus.HOLDING and ours:
        db.session.rollback()  # no transaction (on SQLite: no lock) while Stripe answers
        try:
            paid = _fulfil_from_stripe(session_id)
        except (gateway.StripeError, Busy, OperationalError) as exc:  # the webhook will still come
            db.session.rollback()
            current_app.logger.warning("success page could not fulfil order %s: %s", order_id, exc)
            return render_template("orders/processing.html", order=order), 202
        if paid is not None:
            order_paid.send(current_app._get_current_object(), order_id=paid.id)
        db.session.refresh(order)
    if order.status == OrderStatus.PENDING or (order.status == OrderStatus.RESERVED and ours):
        return render_template("orders/processing.html", order=order), 202
    return redirect(_order_page(order, token, paid=1), 303)


def _fulfil_from_stripe(session_id: str):
    """Re-read the session and fulfil it, racing the webhook: the loser waits, then finds
    the order paid (on SQLite the write transaction begins IMMEDIATE, as a POST's does)."""
    paid_session = fulfilment.read_session(session_id)
    writes_from_now()
    paid = fulfilment.fulfil_session(*paid_session)
    db.session.commit()
    return paid


@bp.get("/checkout/<int:order_id>/cancel")
def checkout_cancel(order_id: int):
    """The buyer left Stripe's page: end the Stripe session and release the seats.

    A GET that writes because Stripe's redirect is a GET: idempotent, as only a
    pending order is released, and Stripe is called after the commit (no lock held).
    """
    order, token = _buyer_order(order_id)
    released = False
    if order.status == OrderStatus.PENDING:
        released = services.release_hold(services.lock_order(order.id), OrderStatus.CANCELED)
        session_id = order.stripe_checkout_session_id
        db.session.commit()
        if session_id:  # after the commit: Stripe's expired webhook then finds it done
            _expire_quietly(session_id)
    return render_template(
        "orders/canceled.html",
        order=order,
        released=released,
        order_url=_order_page(order, token),
        token=token,
        other_ways=_other_ways(order),
    )


def _other_ways(order: Order) -> list[str]:
    """The ways to pay without a card the event offers, for a card checkout left unpaid."""
    if order.status not in (OrderStatus.CANCELED, OrderStatus.EXPIRED) or order.paid_at:
        return []
    methods = order.event.payment_methods or []
    return [m for m in methods if m in reservations.RESERVING] if order.total_minor else []


@bp.post("/checkout/<int:order_id>/reserve")
def reserve_instead(order_id: int):
    """The card was declined or the buyer left Stripe: reserve the same order instead."""
    order, token = _buyer_order(order_id)
    try:
        reservations.reserve_instead(order.id, request.form.get("payment_method", ""))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("orders.checkout_cancel", order_id=order_id, token=token), 303)
    order_reserved.send(current_app._get_current_object(), order_id=order_id)
    return redirect(_order_page(order, token, paid=1), 303)


def _expire_quietly(session_id: str) -> None:
    """A session already paid or expired cannot be expired: the webhook will tell."""
    try:
        gateway.expire_session(session_id)
    except gateway.StripeError as exc:
        current_app.logger.info("could not expire session %s: %s", session_id, exc)


@bp.post("/orders/<int:order_id>/<token>/pay-by-card")
def pay_reservation_by_card(order_id: int, token: str):
    """A reservation's buyer pays its amount due by card: off to Stripe Checkout."""
    order = db.session.get(Order, order_id)
    if not token_matches(order, token):
        abort(404, gettext("No such order."))
    use_default_locale(order.locale)
    try:
        url = reservation_card.card_checkout_url(order_id, token)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(_order_page(order, token), 303)
    return redirect(url, 303)
