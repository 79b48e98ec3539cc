"""Input and output schemas of the orders API (input refuses unknown fields)."""

from flask import url_for
from marshmallow import fields

from ticketing import validate
from ticketing.database import MAX_ID
from ticketing.i18n import LANGUAGES
from ticketing.orders.models import PAYMENT_METHODS
from ticketing.schemas import BaseSchema

Minor = fields.Integer  # money in minor units: integers only (strict below)
MAX_ITEMS = 50  # lines of one order: a page has a line per tier
MAX_MINOR = 10**11  # a billion in major units: more is a typo, and keeps sums in 64 bits


class OrderItemSchema(BaseSchema):
    ticket_type_id = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))
    price_minor = Minor(strict=True, allow_none=True, validate=validate.Range(min=0, max=MAX_MINOR))


class OrderCreateSchema(BaseSchema):
    buyer_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    buyer_email = fields.Email(required=True, validate=validate.Length(max=254))
    items = fields.List(
        fields.Nested(OrderItemSchema), load_default=list, validate=validate.Length(max=MAX_ITEMS)
    )
    donation_minor = Minor(
        strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_MINOR)
    )
    # The buyer's language: the ticket email and reminders are written in it.
    # Without it, the language the request speaks (Accept-Language, ?lang).
    locale = fields.String(load_default=None, validate=validate.OneOf(LANGUAGES))
    # card (Stripe Checkout), or reserve now and pay at the door or by transfer.
    payment_method = fields.String(load_default="card", validate=validate.OneOf(PAYMENT_METHODS))


class OrderCreatedSchema(BaseSchema):
    id = fields.Integer()
    status = fields.String()
    total_minor = fields.Integer()
    currency = fields.String()
    checkout_url = fields.String(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    access_token = fields.String()
    payment_method = fields.String()
    reserved_until = fields.DateTime(allow_none=True)
    amount_due_minor = fields.Integer(allow_none=True)
    payment_reference = fields.String(allow_none=True)


class TicketOutSchema(BaseSchema):
    code = fields.String()
    ticket_type_id = fields.Integer()
    status = fields.String()
    holder_name = fields.String()
    qr_svg_url = fields.Function(
        lambda ticket: url_for("tickets.qr_svg", code=ticket.code, _external=True)
    )
    qr_png_url = fields.Function(
        lambda ticket: url_for("tickets.qr_png", code=ticket.code, _external=True)
    )


class OrderLineOutSchema(BaseSchema):
    ticket_type_id = fields.Integer()
    quantity = fields.Integer()
    unit_price_minor = fields.Integer()


class OrderOutSchema(BaseSchema):
    id = fields.Integer()
    event_id = fields.Integer()
    status = fields.String(attribute="current_status")  # a lapsed hold reads as expired
    buyer_name = fields.String()
    total_minor = fields.Integer()
    tickets_minor = fields.Integer()
    donation_minor = fields.Integer()
    refunded_minor = fields.Integer()
    currency = fields.String()
    payment_method = fields.String()
    # A reservation's: what it still owes, its reference and until when it holds.
    amount_due_minor = fields.Method("amount_due")
    payment_reference = fields.String(allow_none=True)
    reserved_until = fields.Method("reserved_until_of", allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    paid_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(OrderLineOutSchema))
    tickets = fields.List(fields.Nested(TicketOutSchema))
    payment_method = fields.String(metadata={"description": "card, door or transfer"})
    payment_reference = fields.String(
        allow_none=True, metadata={"description": "A reservation's reference (transfers, door)"}
    )
    paid_minor = fields.Integer(metadata={"description": "Received toward a reservation"})
    amount_due_minor = fields.Integer(
        metadata={"description": "What an open reservation still owes (0 otherwise)"}
    )
    reserved_until = fields.Function(
        lambda order: (
            order.expires_at.isoformat()
            if order.current_status == "reserved" and order.expires_at
            else None
        ),
        metadata={"type": "string", "format": "date-time", "nullable": True},
    )

    def amount_due(self, order):
        return order.amount_due_minor if order.current_status == "reserved" else 0

    def reserved_until_of(self, order):
        if order.payment_reference is None or order.current_status != "reserved":
            return None
        return fields.DateTime().serialize("expires_at", order)


class RefundRequestSchema(BaseSchema):
    amount_minor = Minor(
        strict=True, allow_none=True, validate=validate.Range(min=1, max=MAX_MINOR)
    )


# What the API calls a payment method, and the manual record's name for it.
RECEIVED_METHODS = {"cash": "cash", "transfer": "bank_transfer"}


class OrderPaymentInSchema(BaseSchema):
    """Money received toward a reservation (organizers)."""

    amount_minor = Minor(required=True, strict=True, validate=validate.Range(min=1, max=MAX_MINOR))
    method = fields.String(required=True, validate=validate.OneOf(tuple(RECEIVED_METHODS)))
    reference = fields.String(load_default="", validate=validate.Length(max=100))
