"""Input and output shapes of the door API (unknown input fields are refused)."""

from flask_babel import lazy_gettext
from marshmallow import fields

from ticketing import validate
from ticketing.database import MAX_ID
from ticketing.payments.manual import MAX_AMOUNT_MINOR
from ticketing.schemas import BaseSchema

# A door sale is for the guests at the door: a group, not a block booking.
MAX_DOOR_SALE = 20


def nonce_field(**options) -> fields.String:
    """A scan's nonce, as a device makes it: printable ASCII, no spaces."""
    return fields.String(
        validate=[
            validate.Length(min=1, max=100),
            validate.Regexp(
                r"^[\x21-\x7e]+$", error=lazy_gettext("Use printable ASCII, no spaces.")
            ),
        ],
        **options,
    )


def collect_field() -> fields.Integer:
    """Cash the door took for a reservation (online scan and offline batch alike)."""
    return fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate.Range(min=1, max=MAX_AMOUNT_MINOR),
        metadata={
            "description": "Cash taken at the door for an `unpaid` reservation: exactly its "
            "`amount_due_minor` (else 422). Pays the whole order and checks this ticket in."
        },
    )


class ScanSchema(BaseSchema):
    # A scanner may send a stray CR or GS; api.printable() removes them, and an
    # odd code is answered `invalid` like any other, never a 422 at the door.
    CONTROL_CHARACTERS = "stripped"

    code = fields.String(required=True, validate=validate.Length(min=1, max=200))
    event_id = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1)
    )
    nonce = nonce_field(load_default=None, allow_none=True)
    gate = fields.String(load_default="", validate=validate.Length(max=100))
    device = fields.String(load_default="", validate=validate.Length(max=200))
    collect_minor = collect_field()


class ScanTicketSchema(BaseSchema):
    code = fields.String()
    ticket_type_id = fields.Integer()
    tier = fields.String(metadata={"description": "The tier's name"})
    holder_name = fields.String()
    event_id = fields.Integer()


class ScanOkSchema(BaseSchema):
    status = fields.String(metadata={"description": "Always `ok`"})
    ticket = fields.Nested(ScanTicketSchema)
    checked_in_at = fields.DateTime()
    gate = fields.String()
    checkin_id = fields.Integer()


class ScanRefusedSchema(BaseSchema):
    status = fields.String(
        metadata={
            "description": "already_checked_in, invalid, wrong_event, unpaid or revoked",
        }
    )
    code = fields.String(metadata={"description": "The same as `status`"})
    message = fields.String()
    ticket = fields.Nested(ScanTicketSchema, metadata={"description": "Absent for `invalid`"})
    first_checked_in_at = fields.DateTime(metadata={"description": "already_checked_in only"})
    gate = fields.String(metadata={"description": "already_checked_in only: the first gate"})
    checkin_id = fields.Integer()
    order_id = fields.Integer(metadata={"description": "unpaid reservation only"})
    amount_due_minor = fields.Integer(
        metadata={"description": "unpaid reservation only: the cash to collect"}
    )
    currency = fields.String(metadata={"description": "unpaid reservation only"})
    buyer_name = fields.String(metadata={"description": "unpaid reservation only"})
    tickets_in_order = fields.Integer(
        metadata={"description": "unpaid reservation only: tickets the payment covers"}
    )


class AttendeeSearchSchema(BaseSchema):
    CONTROL_CHARACTERS = "stripped"  # a search, never stored; api.printable() cleans it

    q = fields.String(load_default="", validate=validate.Length(max=200))


class AttendeeSchema(BaseSchema):
    code = fields.String()
    ticket_type_id = fields.Integer()
    tier = fields.String()
    holder_name = fields.String()
    buyer_name = fields.String()
    order_id = fields.Integer()
    ticket_status = fields.String()
    order_status = fields.String()
    checked_in = fields.Boolean()
    checked_in_at = fields.String(allow_none=True)
    gate = fields.String(allow_none=True)
    buyer_email = fields.String(metadata={"description": "Organizers and owners only"})


class StatsSchema(BaseSchema):
    event_id = fields.Integer()
    checked_in = fields.Integer()
    sold = fields.Integer()


class UndoneSchema(BaseSchema):
    id = fields.Integer()
    ticket_id = fields.Integer()
    event_id = fields.Integer()
    checked_in_at = fields.DateTime()
    undone_at = fields.DateTime()
    undone_by_id = fields.Integer()


class DoorSaleInSchema(BaseSchema):
    ticket_type_id = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )
    quantity = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_DOOR_SALE)
    )
    nonce = nonce_field(
        load_default=None,
        allow_none=True,
        metadata={"description": "Sent again with this nonce: the first sale, nothing sold"},
    )
    gate = fields.String(load_default="", validate=validate.Length(max=100))
    device = fields.String(load_default="", validate=validate.Length(max=200))


class DoorSaleSchema(BaseSchema):
    order_id = fields.Integer()
    amount_minor = fields.Integer(metadata={"description": "The cash taken"})
    currency = fields.String()
    quantity = fields.Integer()
    ticket_type_id = fields.Integer()
    tier = fields.String()
    codes = fields.List(fields.String(), metadata={"description": "The new tickets, all in"})
    checked_in_at = fields.DateTime()
