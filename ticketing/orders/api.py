"""Orders API: buy (no account needed), read with the order's token, refund."""

from flask import request
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Blueprint, abort

from ticketing.accounts.access import visible
from ticketing.accounts.auth import current_principal, require_role
from ticketing.accounts.models import MONEY_ROLES
from ticketing.extensions import db
from ticketing.i18n import current_locale
from ticketing.orders import reservations, services
from ticketing.orders.access import token_matches
from ticketing.orders.checkout import event_on_sale, place_order
from ticketing.orders.limits import limit_holds
from ticketing.orders.models import Order
from ticketing.orders.refunding import refund_order
from ticketing.orders.schemas import (
    RECEIVED_METHODS,
    OrderCreatedSchema,
    OrderCreateSchema,
    OrderOutSchema,
    OrderPaymentInSchema,
    RefundRequestSchema,
)
from ticketing.schemas import ApiErrorSchema as ErrorSchema

blp = Blueprint("orders_api", __name__, url_prefix="/api/v1", description="Checkout and orders")


def readable_order(order_id: int) -> Order:
    """The order for its buyer (X-Order-Token) or its organizers; 404 tells nothing."""
    token = request.headers.get("X-Order-Token")
    principal = current_principal()
    if not token and principal is None:
        abort(401, message=gettext("Send the order's X-Order-Token header, or an organizer token."))
    order = db.session.get(Order, order_id)
    if order is not None and token and token_matches(order, token):
        return order
    organizer = principal is not None and principal.sees_money
    if order is not None and organizer and visible(principal, Order, order_id, _event_of):
        return order
    abort(404, message=gettext("No such order."))


def _event_of(order: Order):
    return order.event


@blp.route("/events/<int:event_id>/orders")
class EventOrders(MethodView):
    @blp.arguments(OrderCreateSchema())
    @blp.response(201, OrderCreatedSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such published event")
    @blp.alt_response(
        409,
        schema=ErrorSchema,
        description="sold_out: what is left per tier; reservations_full (the event's cap "
        "on seats held unpaid); reservations_closed (its reservation deadline passed)",
    )
    @blp.alt_response(
        429,
        schema=ErrorSchema,
        description="rate_limited (too many holds from this address or email), or "
        "too_many_holds (this email's unpaid holds on the event)",
    )
    @blp.alt_response(503, schema=ErrorSchema, description="busy, or payments unavailable")
    @limit_holds
    def post(self, data, event_id):
        """Hold seats and open a Stripe Checkout Session (a free order is paid at once).

        With `payment_method` door or transfer (if the event allows it): a
        reservation, `reserved` until `reserved_until`, with `amount_due_minor`
        and a `payment_reference`, and no checkout.

        Holds are limited per client address and per buyer email
        (HOLD_RATE_LIMIT, HOLD_EMAIL_RATE_LIMIT), and one email may have at
        most HOLDS_PER_EMAIL unpaid holds on an event at once: 429.
        """
        event = event_on_sale(event_id)
        if event is None:
            abort(404, message=gettext("No such event on sale."))
        items = [services.ItemRequest(**item) for item in data["items"]]
        placed = place_order(
            event,
            buyer_name=data["buyer_name"],
            buyer_email=data["buyer_email"],
            items=items,
            donation_minor=data["donation_minor"],
            locale=data["locale"] or current_locale(),
            payment_method=data["payment_method"],
        )
        return placed


@blp.route("/orders/<int:order_id>")
class OrderResource(MethodView):
    @blp.response(200, OrderOutSchema)
    @blp.alt_response(401, schema=ErrorSchema)
    @blp.alt_response(404, schema=ErrorSchema)
    @blp.doc(security=[{"orderToken": []}, {"bearerAuth": []}])
    def get(self, order_id):
        """An order and its tickets, for its buyer (X-Order-Token) or its organizers."""
        return readable_order(order_id)


IDEMPOTENCY_KEY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "Makes a retry safe: the same key on the same order refunds once.",
}


@blp.route("/orders/<int:order_id>/refund")
class OrderRefund(MethodView):
    decorators = [require_role(*MONEY_ROLES)]

    @blp.arguments(RefundRequestSchema())
    @blp.response(200, OrderOutSchema)
    @blp.alt_response(404, schema=ErrorSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="not refundable in this state")
    @blp.alt_response(502, schema=ErrorSchema, description="Stripe refused")
    @blp.alt_response(503, schema=ErrorSchema, description="Stripe unreachable: retry, same key")
    @blp.doc(security=[{"bearerAuth": []}], parameters=[IDEMPOTENCY_KEY_HEADER])
    def post(self, data, order_id):
        """Refund all (no amount) or part of a card-paid order through Stripe.

        With an Idempotency-Key header, the same key on the same order returns
        the first answer and never refunds twice (another amount: 409).
        """
        order = visible(current_principal(), Order, order_id, _event_of)
        if order is None:
            abort(404, message=gettext("No such order."))
        refund_order(
            order,
            data.get("amount_minor"),
            current_principal().user_id,
            client_key=request.headers.get("Idempotency-Key"),
        )
        db.session.commit()
        return order


@blp.route("/orders/<int:order_id>/payments")
class OrderPayments(MethodView):
    decorators = [require_role(*MONEY_ROLES)]

    @blp.arguments(OrderPaymentInSchema())
    @blp.response(200, OrderOutSchema)
    @blp.alt_response(404, schema=ErrorSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="not_reserved: nothing is owed")
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, data, order_id):
        """Record cash or a bank transfer received toward a reservation.

        Partial payments add up and `amount_due_minor` shrinks; once they
        cover it the order is `paid` and its tickets `valid`. More than is
        due is 422. Counted in the event's `manual_minor` when received.
        """
        principal = current_principal()
        order = visible(principal, Order, order_id, _event_of)
        if order is None:
            abort(404, message=gettext("No such order."))
        order, _payment = reservations.receive_payment(
            order.id,
            amount_minor=data["amount_minor"],
            method=RECEIVED_METHODS[data["method"]],
            reference=data["reference"].strip(),
            recorded_by_id=principal.user_id,
            recorded_by_token_id=principal.token_id,
        )
        db.session.commit()
        return order
