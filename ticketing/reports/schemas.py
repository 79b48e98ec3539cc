"""Marshmallow schemas of the totals and manual-payment API (input and output apart)."""

from flask_babel import gettext
from marshmallow import ValidationError, fields, validates_schema

from ticketing import validate
from ticketing.database import MAX_ID
from ticketing.payments.manual import MAX_AMOUNT_MINOR, MAX_DOOR_QUANTITY
from ticketing.payments.models import MANUAL_METHODS, RECORDED_KINDS
from ticketing.schemas import ApiErrorSchema, BaseSchema


class SoldOutSchema(ApiErrorSchema):
    available = fields.Dict(keys=fields.String(), values=fields.Integer())


class TotalsSchema(BaseSchema):
    """API.md's totals; raised = tickets + donations + manual - refunds, net = raised - fees."""

    currency = fields.String(required=True, metadata={"example": "EUR"})
    tickets_sold = fields.Integer(required=True, metadata={"description": "Valid tickets."})
    tickets_checked_in = fields.Integer(required=True)
    tickets_minor = fields.Integer(required=True, metadata={"description": "Card ticket sales."})
    donations_minor = fields.Integer(required=True, metadata={"description": "Card donations."})
    manual_minor = fields.Integer(
        required=True, metadata={"description": "Cash and bank transfers, door sales included."}
    )
    refunds_minor = fields.Integer(required=True)
    fees_minor = fields.Integer(required=True, metadata={"description": "Stripe's fees."})
    raised_minor = fields.Integer(required=True)
    net_minor = fields.Integer(required=True)
    goal_minor = fields.Integer(required=True, allow_none=True)
    goal_progress = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "raised / goal, rounded down to 4 decimals; null without goal."},
    )
    reserved_unpaid_minor = fields.Integer(
        required=True,
        metadata={"description": "What open reservations still owe; not part of raised."},
    )


class ManualPaymentInSchema(BaseSchema):
    """A cash or bank-transfer record: a donation, or tickets sold at the door."""

    kind = fields.String(required=True, validate=validate.OneOf(RECORDED_KINDS))
    method = fields.String(required=True, validate=validate.OneOf(MANUAL_METHODS))
    amount_minor = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_AMOUNT_MINOR),
        metadata={
            "description": "Required for donations; for tickets defaults to price x quantity."
        },
    )
    note = fields.String(
        load_default="", validate=validate.Length(max=2000), metadata={"multiline": True}
    )
    ticket_type_id = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "For kind=tickets."},
    )
    quantity = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_DOOR_QUANTITY))
    buyer_name = fields.String(load_default="", validate=validate.Length(max=200))
    buyer_email = fields.Email(
        load_default="",
        validate=validate.Length(max=254),
        metadata={"description": "When given, the tickets are emailed there."},
    )

    @validates_schema
    def _fields_for_kind(self, data, **kwargs):
        if data.get("kind") == "donation":
            if "amount_minor" not in data:
                raise ValidationError(gettext("A donation needs an amount."), "amount_minor")
            extra = [name for name in ("ticket_type_id", "quantity") if name in data]
            if extra:
                raise ValidationError(gettext("Only for kind=tickets."), extra[0])
        if data.get("kind") == "tickets":
            missing = [name for name in ("ticket_type_id", "quantity") if name not in data]
            if missing:
                raise ValidationError(gettext("Required for kind=tickets."), missing[0])


class VoidInSchema(BaseSchema):
    reason = fields.String(
        load_default="", validate=validate.Length(max=2000), metadata={"multiline": True}
    )


class ManualPaymentSchema(BaseSchema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    method = fields.String(required=True)
    amount_minor = fields.Integer(required=True)
    currency = fields.String(required=True)
    note = fields.String(required=True)
    order_id = fields.Integer(required=True, allow_none=True)
    ticket_codes = fields.List(fields.String(), required=True)
    recorded_by_id = fields.Integer(required=True, allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    voided_at = fields.AwareDateTime(required=True, allow_none=True)
    voided_by_id = fields.Integer(required=True, allow_none=True)
    void_reason = fields.String(required=True)
