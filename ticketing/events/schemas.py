"""API schemas for events and ticket types: one for input, one for output.

Times come in as ISO 8601 WITH a UTC offset (a time without one is refused
with 422: a concert's start must never depend on a server's zone) and go out
in the event's own time zone, with its offset. Money is integer minor units;
a JSON float is refused.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext, lazy_gettext
from marshmallow import ValidationError, fields, validates_schema

from ticketing.events.models import PAYMENT_METHODS
from ticketing.events.services import TIMEZONES
from ticketing.i18n import LANGUAGES
from ticketing.money import is_known_currency
from ticketing.schemas import BaseSchema
from ticketing.validate import Length, OneOf, Range

# The columns are 32-bit integers on PostgreSQL.
MAX_INT = 2_147_483_647
# The event page offers 0..max_per_order in a menu: a longer one is no use to anyone.
MAX_PER_ORDER = 1000
# Far enough either way for any concert; keeps time zone arithmetic in range.
TIME_RANGE = Range(min=datetime(2000, 1, 1, tzinfo=UTC), max=datetime(2999, 12, 31, tzinfo=UTC))


def no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError(gettext("NUL characters are not allowed."))


def known_timezone(value: str) -> None:
    if value not in TIMEZONES:
        raise ValidationError(
            gettext(
                "Unknown time zone %(value)s; use an IANA name like Europe/Istanbul.",
                value=f"{value!r}",
            )
        )


def known_currency(value: str) -> None:
    if not is_known_currency(value):
        raise ValidationError(
            gettext(
                "Unknown currency %(value)s; use an ISO 4217 code like EUR.", value=f"{value!r}"
            )
        )
    # Whether cards can be charged in it depends on the ways to pay the event
    # allows: events/services.py checks the two together.


def Text(max_length: int, **kwargs) -> fields.String:  # noqa: N802  (a field factory)
    return fields.String(validate=[Length(max=max_length), no_nul], **kwargs)


def Name(**kwargs) -> fields.String:  # noqa: N802
    return fields.String(validate=[Length(min=1, max=200), no_nul], **kwargs)


class Bounds(Range):
    """A whole number's bounds, said the same way by the API and the organizer's forms."""

    text_both = lazy_gettext("Number must be between {min} and {max}.")


class AmountBounds(Range):
    """An amount's bounds; the forms show major units, so the message names the unit."""

    text_both = lazy_gettext("Must be zero or more (at most {max} in the currency's minor units).")


def Minor(**kwargs) -> fields.Integer:  # noqa: N802
    """An amount in minor units: an integer, never a float, never negative."""
    return fields.Integer(strict=True, validate=AmountBounds(min=0, max=MAX_INT), **kwargs)


def Count(minimum: int = 0, maximum: int = MAX_INT, **kwargs) -> fields.Integer:  # noqa: N802
    return fields.Integer(strict=True, validate=Bounds(min=minimum, max=maximum), **kwargs)


def Moment(**kwargs) -> fields.AwareDateTime:  # noqa: N802
    return fields.AwareDateTime(validate=TIME_RANGE, **kwargs)


class EventLocalDateTime(fields.AwareDateTime):
    """Dumped in the event's time zone, with its offset (19:30+03:00)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None:
            zone = getattr(obj, "timezone", None) or obj.event.timezone
            value = value.astimezone(ZoneInfo(zone))
        return super()._serialize(value, attr, obj, **kwargs)


# --- texts in other languages ----------------------------------------------


class EventTextsSchema(BaseSchema):
    """An event's texts in one language; what is left out falls back to the main text."""

    name = Name(required=True)
    description = Text(20_000, metadata={"multiline": True})
    venue = Text(300)
    beneficiary = Text(300)


class TierTextsSchema(BaseSchema):
    name = Name(required=True)


def Translations(texts: type[BaseSchema], **kwargs) -> fields.Dict:  # noqa: N802
    """{"ru": {...}, "uk": {...}}: a language code (en, ru, uk, tr) to its texts.

    Given, it replaces the whole map ({} removes every translation). The
    texts check their own control characters (a description keeps its lines).
    """
    return fields.Dict(
        keys=fields.String(validate=OneOf(LANGUAGES)),
        values=fields.Nested(texts),
        metadata={
            "multiline": True,
            "description": f"Per language ({', '.join(LANGUAGES)}): texts that replace the "
            "main ones for its readers; pages fall back to the main text.",
        },
        **kwargs,
    )


# --- events ----------------------------------------------------------------


class EventFieldsSchema(BaseSchema):
    """Every writable event field, all optional (PATCH)."""

    name = Name()
    description = Text(20_000, metadata={"multiline": True})
    venue = Text(300)
    starts_at = Moment(metadata={"description": "ISO 8601 with a UTC offset."})
    ends_at = Moment(allow_none=True)
    timezone = fields.String(validate=known_timezone, metadata={"example": "Europe/Istanbul"})
    currency = fields.String(validate=known_currency, metadata={"example": "EUR"})
    goal_minor = Minor(allow_none=True)
    beneficiary = Text(300)
    published = fields.Boolean()
    slug = fields.String(
        validate=[Length(min=1, max=120), no_nul],
        metadata={
            "description": "The public page's address, /events/<slug>; made from the name "
            "when left out. Typed text is transliterated (Песни -> pesni). Fixed once an "
            "order exists (409).",
            "example": "umut-arkadaslar",
        },
    )
    translations = Translations(EventTextsSchema)
    default_locale = fields.String(
        validate=OneOf(LANGUAGES),
        metadata={"description": "The page's language when the browser asks for none of ours."},
    )
    payment_methods = fields.List(
        fields.String(validate=OneOf(PAYMENT_METHODS)),
        validate=Length(min=1, max=len(PAYMENT_METHODS)),
        metadata={
            "description": "Ways to pay: card (Stripe), door (reserve, pay cash at the "
            "door), transfer (bank transfer). An event that allows card needs a currency "
            "Stripe can charge.",
            "example": ["card", "door"],
        },
    )
    transfer_instructions = Text(
        5_000,
        metadata={"multiline": True, "description": "Required when transfer is allowed."},
    )
    reservations_until = Moment(
        allow_none=True,
        metadata={"description": "When unpaid reservations lapse (null: the event's start)."},
    )
    unpaid_seats_cap = Count(
        allow_none=True,
        metadata={"description": "Most seats open unpaid reservations may hold (null: no cap)."},
    )

    @validates_schema
    def ends_after_start(self, data, **kwargs):
        start, end = data.get("starts_at"), data.get("ends_at")
        if start is not None and end is not None and end <= start:
            raise ValidationError(gettext("The event must end after it starts."), "ends_at")

    @validates_schema
    def methods_once(self, data, **kwargs):
        methods = data.get("payment_methods") or []
        if len(set(methods)) != len(methods):
            raise ValidationError(gettext("List each way to pay once."), "payment_methods")


class EventCreateSchema(EventFieldsSchema):
    name = Name(required=True)
    starts_at = Moment(required=True, metadata={"description": "ISO 8601 with a UTC offset."})
    timezone = fields.String(
        required=True, validate=known_timezone, metadata={"example": "Europe/Istanbul"}
    )
    venue = Text(300, required=True)
    currency = fields.String(required=True, validate=known_currency, metadata={"example": "EUR"})


class EventUpdateSchema(EventFieldsSchema):
    pass


class EventSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    organization_id = fields.Integer(dump_only=True)
    slug = fields.String(dump_only=True)
    name = fields.String()
    description = fields.String()
    venue = fields.String()
    starts_at = EventLocalDateTime()
    ends_at = EventLocalDateTime(allow_none=True)
    timezone = fields.String()
    currency = fields.String()
    goal_minor = fields.Integer(allow_none=True)
    beneficiary = fields.String()
    published = fields.Boolean()
    translations = fields.Dict(
        keys=fields.String(), values=fields.Nested(EventTextsSchema), dump_default=dict
    )
    default_locale = fields.String()
    payment_methods = fields.List(fields.String())
    transfer_instructions = fields.String()
    reservations_until = EventLocalDateTime(allow_none=True)
    reservation_deadline = EventLocalDateTime(dump_only=True)
    unpaid_seats_cap = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime(dump_only=True)


# --- ticket types ----------------------------------------------------------


class TicketTypeFieldsSchema(BaseSchema):
    name = Name()
    description = Text(5_000, metadata={"multiline": True})
    price_minor = Minor(metadata={"description": "For pay-what-you-want: the suggested price."})
    capacity = Count()
    pay_what_you_want = fields.Boolean()
    min_price_minor = Minor(allow_none=True)
    max_per_order = Count(1, MAX_PER_ORDER)
    sales_start = Moment(allow_none=True)
    sales_end = Moment(allow_none=True)
    position = Count()
    translations = Translations(TierTextsSchema)

    @validates_schema
    def sales_window(self, data, **kwargs):
        start, end = data.get("sales_start"), data.get("sales_end")
        if start is not None and end is not None and end <= start:
            raise ValidationError(gettext("Sales must end after they start."), "sales_end")


class TicketTypeCreateSchema(TicketTypeFieldsSchema):
    name = Name(required=True)
    price_minor = Minor(
        required=True, metadata={"description": "For pay-what-you-want: the suggested price."}
    )
    capacity = Count(required=True)


class TicketTypeUpdateSchema(TicketTypeFieldsSchema):
    pass


class TicketTypeSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    event_id = fields.Integer(dump_only=True)
    name = fields.String()
    description = fields.String()
    currency = fields.String(attribute="event.currency", dump_only=True)
    price_minor = fields.Integer()
    capacity = fields.Integer()
    available = fields.Integer(
        dump_only=True,
        metadata={
            "description": "capacity - seats sold or held (a lapsed hold counts until released)"
        },
    )
    pay_what_you_want = fields.Boolean()
    min_price_minor = fields.Integer(allow_none=True)
    max_per_order = fields.Integer()
    sales_start = EventLocalDateTime(allow_none=True)
    sales_end = EventLocalDateTime(allow_none=True)
    position = fields.Integer()
    translations = fields.Dict(
        keys=fields.String(), values=fields.Nested(TierTextsSchema), dump_default=dict
    )
