"""Organizer forms for events and tiers.

People type local times and major-unit amounts ("12.50"); the forms turn
them into aware UTC and integer minor units for the services.
"""

from datetime import UTC, datetime
from decimal import InvalidOperation
from zoneinfo import ZoneInfo

from flask_babel import gettext, lazy_gettext
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ticketing import money
from ticketing.errors import ValidationFailed
from ticketing.events.schemas import MAX_INT
from ticketing.events.services import TIMEZONES
from ticketing.forms import BaseForm
from ticketing.i18n import LANGUAGE_NAMES, LANGUAGES, amount_hint, current_locale
from ticketing.money import (
    KNOWN_CURRENCIES,
    NOT_CHARGEABLE_BY_CARD,
    MoneyError,
    to_decimal,
)

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
COMMON_CURRENCIES = ["EUR", "USD", "GBP", "TRY", "GEL", "AMD", "ILS", "CHF", "PLN"]


def currency_choices() -> list[SelectChoice]:
    rest = sorted(KNOWN_CURRENCIES - set(COMMON_CURRENCIES) - NOT_CHARGEABLE_BY_CARD)
    return [SelectChoice(code) for code in COMMON_CURRENCIES + rest]


def timezone_choices() -> list[SelectChoice]:
    return [SelectChoice(name, name.replace("_", " ")) for name in sorted(TIMEZONES)]


def to_utc(local: datetime | None, timezone: str) -> datetime | None:
    """A wall-clock time typed for the event's zone, as an aware datetime."""
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def to_local(value: datetime | None, timezone: str) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def parse_amount(text: str | None, currency: str, field: str) -> int | None:
    """Major units typed by a person -> minor units, or a field error."""
    if text is None or not text.strip():
        return None
    try:
        minor = money.parse_amount(text, currency, current_locale())
    except (InvalidOperation, MoneyError, ValueError):
        raise ValidationFailed(amount_hint(currency), field=field) from None
    if minor < 0:
        raise ValidationFailed(gettext("Must be zero or more."), field=field)
    return minor


def show_amount(minor: int | None, currency: str) -> str:
    return "" if minor is None else str(to_decimal(minor, currency))


class EventForm(BaseForm):
    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(lazy_gettext("Description"), validators=[Length(max=20000)])
    venue = StringField(lazy_gettext("Venue"), validators=[Length(max=300)])
    starts_at = DateTimeLocalField(
        lazy_gettext("Starts at (local time)"), format=LOCAL_FORMATS, validators=[InputRequired()]
    )
    timezone = SelectField(lazy_gettext("Time zone"), default="Europe/Istanbul")
    currency = SelectField(lazy_gettext("Currency"), default="EUR")
    goal = StringField(lazy_gettext("Fundraising goal"), validators=[Optional(), Length(max=30)])
    beneficiary = StringField(lazy_gettext("Beneficiary"), validators=[Length(max=300)])
    published = BooleanField(lazy_gettext("Published (visible to the public)"))
    default_locale = SelectField(lazy_gettext("Default language"), default="en")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()
        self.currency.choices = currency_choices()
        self.default_locale.choices = [
            SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES
        ]

    def fill_from(self, event) -> None:
        """Show a saved event, in its own time zone and major units."""
        names = ("name", "description", "venue", "timezone", "currency", "beneficiary")
        for name in (*names, "default_locale"):
            getattr(self, name).data = getattr(event, name)
        self.published.data = event.published
        self.starts_at.data = to_local(event.starts_at, event.timezone)
        self.goal.data = show_amount(event.goal_minor, event.currency)

    def to_fields(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "description": self.description.data or "",
            "venue": (self.venue.data or "").strip(),
            "starts_at": to_utc(self.starts_at.data, self.timezone.data),
            "timezone": self.timezone.data,
            "currency": self.currency.data,
            "goal_minor": parse_amount(self.goal.data, self.currency.data, "goal"),
            "beneficiary": (self.beneficiary.data or "").strip(),
            "published": bool(self.published.data),
            "default_locale": self.default_locale.data or "en",
        }


class TierForm(BaseForm):
    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(lazy_gettext("Description"), validators=[Length(max=5000)])
    price = StringField(lazy_gettext("Price"), validators=[DataRequired(), Length(max=30)])
    capacity = IntegerField(
        lazy_gettext("Capacity"), validators=[InputRequired(), NumberRange(min=0, max=MAX_INT)]
    )
    pay_what_you_want = BooleanField(
        lazy_gettext("Pay what you want (the price is the suggestion)")
    )
    min_price = StringField(lazy_gettext("Minimum price"), validators=[Optional(), Length(max=30)])
    max_per_order = IntegerField(
        lazy_gettext("Most per order"),
        default=10,
        validators=[InputRequired(), NumberRange(min=1, max=1000)],
    )
    sales_start = DateTimeLocalField(
        lazy_gettext("Sales start"), format=LOCAL_FORMATS, validators=[Optional()]
    )
    sales_end = DateTimeLocalField(
        lazy_gettext("Sales end"), format=LOCAL_FORMATS, validators=[Optional()]
    )

    def fill_from(self, tier, event) -> None:
        self.name.data = tier.name
        self.description.data = tier.description
        self.price.data = show_amount(tier.price_minor, event.currency)
        self.capacity.data = tier.capacity
        self.pay_what_you_want.data = tier.pay_what_you_want
        self.min_price.data = show_amount(tier.min_price_minor, event.currency)
        self.max_per_order.data = tier.max_per_order
        self.sales_start.data = to_local(tier.sales_start, event.timezone)
        self.sales_end.data = to_local(tier.sales_end, event.timezone)

    def to_fields(self, event) -> dict:
        currency = event.currency
        return {
            "name": self.name.data.strip(),
            "description": self.description.data or "",
            "price_minor": parse_amount(self.price.data, currency, "price"),
            "capacity": self.capacity.data,
            "pay_what_you_want": bool(self.pay_what_you_want.data),
            "min_price_minor": parse_amount(self.min_price.data, currency, "min_price"),
            "max_per_order": self.max_per_order.data,
            "sales_start": to_utc(self.sales_start.data, event.timezone),
            "sales_end": to_utc(self.sales_end.data, event.timezone),
        }
