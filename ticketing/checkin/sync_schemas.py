"""Input and output shapes of the offline door API (door list, batch of scans)."""

from datetime import timedelta

from flask_babel import lazy_gettext
from marshmallow import ValidationError, fields, validates

from ticketing import validate
from ticketing.checkin.schemas import collect_field, nonce_field
from ticketing.database import utcnow
from ticketing.schemas import BaseSchema

MAX_SCANS = 1000
# A phone's clock may run a little fast; a scan from further ahead is refused.
CLOCK_SKEW = timedelta(minutes=5)
# Older than this is no offline scan of tonight's door (a wrong clock, a replay).
OLDEST_SCAN = timedelta(days=7)


class DoorListQuerySchema(BaseSchema):
    since = fields.String(
        load_default=None,
        # A snapshot lists the transactions running when it was taken: 4,000
        # characters hold hundreds; a longer one is no cursor of ours.
        validate=[
            validate.Length(min=1, max=4000),
            validate.Regexp(r"^[A-Za-z0-9.:,_-]+$"),
        ],
        metadata={"description": "The `cursor` of the last list: only what changed after it"},
    )


class DoorTicketSchema(BaseSchema):
    code_hash = fields.String(
        metadata={"description": "hex HMAC-SHA256 of the normalized code, keyed with `salt`"}
    )
    holder_name = fields.String()
    search_key = fields.String(
        metadata={"description": "The folded name search matches; absent: the name in lower case"}
    )
    ticket_type = fields.String(metadata={"description": "The tier's name"})
    status = fields.String(metadata={"description": "valid, unpaid or revoked"})
    amount_due_minor = fields.Integer(metadata={"description": "Open reservations only"})
    order_id = fields.Integer(metadata={"description": "Open reservations only"})
    order_tickets = fields.Integer(
        metadata={"description": "Open reservations only: the tickets the amount pays for"}
    )
    checked_in_at = fields.String(metadata={"description": "When it was let in, if it was"})
    gate = fields.String(metadata={"description": "The gate of that check-in, if one was named"})


class DoorListSchema(BaseSchema):
    event_id = fields.Integer()
    cursor = fields.String()
    full = fields.Boolean()
    salt = fields.String()
    currency = fields.String()
    generated_at = fields.String()
    tickets = fields.List(fields.Nested(DoorTicketSchema))


class OfflineScanSchema(BaseSchema):
    """One scan made offline: when, and the cash it took for a reservation."""

    CONTROL_CHARACTERS = "stripped"

    code = fields.String(required=True, validate=validate.Length(min=1, max=200))
    nonce = nonce_field(required=True)
    gate = fields.String(load_default="", validate=validate.Length(max=100))
    device = fields.String(load_default="", validate=validate.Length(max=200))
    scanned_at = fields.AwareDateTime(required=True, default_timezone=None)
    collect_minor = collect_field()

    @validates("scanned_at")
    def _plausible_time(self, value, **_):
        now = utcnow()
        if value > now + CLOCK_SKEW:
            raise ValidationError(lazy_gettext("This time is in the future."))
        if value < now - OLDEST_SCAN:
            raise ValidationError(lazy_gettext("This time is too long ago for an offline scan."))


class BatchSchema(BaseSchema):
    event_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    scans = fields.List(
        fields.Nested(OfflineScanSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_SCANS),
    )


class BatchResultSchema(BaseSchema):
    nonce = fields.String()
    status = fields.String(
        metadata={"description": "ok, already_checked_in, invalid, wrong_event, unpaid, revoked"}
    )
    conflict = fields.Boolean(
        metadata={"description": "The ticket was let in twice: another admission was kept"}
    )
    checked_in_at = fields.String(metadata={"description": "The kept check-in's time"})
    gate = fields.String(metadata={"description": "The kept check-in's gate"})
    error = fields.String(metadata={"description": "collect_minor refused: why"})
    amount_due_minor = fields.Integer(metadata={"description": "With `error`: what is owed"})


class BatchAnswerSchema(BaseSchema):
    results = fields.List(fields.Nested(BatchResultSchema))
