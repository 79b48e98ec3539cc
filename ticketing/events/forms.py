"""Organizer forms for events and tiers: they parse, the API's schemas decide.

People type local times and major-unit amounts ("12.50"); WTForms reads what
was typed (a number, a date, a choice from the menu) and the form turns it
into the API's request: aware UTC in the event's zone, integer minor units.
That request is then loaded by the same marshmallow schema as the API
(ticketing/events/schemas.py) and given to the same services, so every rule
(bounds, lengths, a sales window, a price) is written once; a schema's
error is shown under the form field it is about.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import InvalidOperation
from zoneinfo import ZoneInfo

from flask_babel import LazyString, lazy_gettext
from marshmallow import Schema, ValidationError
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import Form as SubForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ticketing import money
from ticketing.events.models import EVENT_TEXTS, TIER_TEXTS
from ticketing.events.schemas import EventCreateSchema, TicketTypeCreateSchema
from ticketing.events.services import TIMEZONES
from ticketing.forms import BaseForm
from ticketing.i18n import LANGUAGE_NAMES, LANGUAGES, amount_hint, current_locale
from ticketing.money import KNOWN_CURRENCIES, MoneyError, to_decimal
from ticketing.schemas import translated_errors

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
COMMON_CURRENCIES = ["EUR", "USD", "GBP", "TRY", "GEL", "AMD", "ILS", "CHF", "PLN"]
# What the form says instead of the schema's words, for a field left empty.
REQUIRED_MESSAGE = lazy_gettext("This field is required.")
# Services and schemas name model fields; the forms show major-unit amounts under other names.
FORM_FIELD = {"goal_minor": "goal", "price_minor": "price", "min_price_minor": "min_price"}
# The languages edited beside the main text, each named in itself: every language
# with a catalog (an "en" text given through the API is kept).
FORM_LANGUAGES = tuple((code, LANGUAGE_NAMES[code]) for code in LANGUAGES if code != "en")
TEXT_LABELS = {
    "name": lazy_gettext("Name"),
    "description": lazy_gettext("Description"),
    "venue": lazy_gettext("Venue"),
    "beneficiary": lazy_gettext("Beneficiary"),
}


def texts_form(texts: tuple[str, ...], code: str) -> type[SubForm]:
    """The inputs for one language's texts ("ru-name", "ru-venue", ...)."""
    language = LANGUAGE_NAMES[code]
    inputs = {
        name: (TextAreaField if name == "description" else StringField)(
            LazyString(lambda name=name: f"{TEXT_LABELS[name]} ({language})")
        )
        for name in texts
    }
    return type(f"{code.capitalize()}Texts", (SubForm,), inputs)


def add_language_inputs(form_class, texts: tuple[str, ...]) -> None:
    """One group of inputs per translated language: form.ru, form.uk, form.tr, ..."""
    for code, language in FORM_LANGUAGES:
        setattr(form_class, code, FormField(texts_form(texts, code), label=language))


def currency_choices() -> list[SelectChoice]:
    # Every ISO 4217 currency: one Stripe cannot charge is for cash or transfer only.
    rest = sorted(KNOWN_CURRENCIES - set(COMMON_CURRENCIES))
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


def show_amount(minor: int | None, currency: str) -> str:
    return "" if minor is None else str(to_decimal(minor, currency))


class Unparsed(Exception):
    """What was typed in a field cannot be read; its error is on the field."""


class SchemaForm(BaseForm):
    """A page form whose rules are its API schema's."""

    schema: type[Schema]
    languages = FORM_LANGUAGES

    def load(self, **context) -> dict | None:
        """The schema's validated fields for the service, or None (errors on the form)."""
        self.validate()  # reads what was typed: numbers, dates, menu choices, control characters
        schema = self.schema()
        request, unread = {}, set()
        for key, read in self.request(**context).items():
            try:
                value = read()
            except Unparsed:
                unread.add(key)
                continue
            field = schema.fields[key]
            if value is None and not field.allow_none or value == "" and field.required:
                continue  # left empty: the schema says whether it may be
            request[key] = value
        try:
            data = schema.load(request)
        except ValidationError as exc:
            self.show_schema_errors(exc.normalized_messages(), unread)
            return None
        return None if self.errors else data

    def request(self, **context) -> dict[str, Callable[[], object]]:
        """Per schema field, a function reading it from what was typed."""
        raise NotImplementedError

    def field_for(self, key: str):
        return getattr(self, FORM_FIELD.get(key, key), None)

    def show_schema_errors(self, messages: dict, unread: set[str]) -> None:
        for key, errors in messages.items():
            if key in unread:
                continue  # the field already says it could not be read
            if key == "translations" and isinstance(errors, dict):
                self.show_translation_errors(errors)
                continue
            field = self.field_for(key)
            errors = self.form_messages(errors)
            if field is None:
                self.form_errors.extend(errors)
            else:
                field.errors = [*field.errors, *errors]

    def show_translation_errors(self, messages: dict) -> None:
        """{"ru": {"value": {"name": [...]}}} under the Russian name's input."""
        for code, problems in messages.items():
            language = getattr(self, code, None) if code in dict(FORM_LANGUAGES) else None
            self.form_errors.extend(self.form_messages(problems.get("key") or []))
            for name, errors in (problems.get("value") or {}).items():
                if language is not None and name in language.form:
                    sub = language.form[name]
                    sub.errors = [*sub.errors, *self.form_messages(errors)]
                else:
                    self.form_errors.extend(self.form_messages(errors))

    @staticmethod
    def form_messages(errors) -> list[str]:
        errors = errors if isinstance(errors, list) else [str(errors)]
        return [
            str(REQUIRED_MESSAGE)
            if e == "Missing data for required field."
            else translated_errors(e)
            for e in errors
        ]

    def texts(self, texts: tuple[str, ...], current: dict | None) -> dict:
        """The typed translations; languages the form does not show are kept as they were."""
        shown = dict(FORM_LANGUAGES)
        result = {code: given for code, given in (current or {}).items() if code not in shown}
        for code in shown:
            inputs = getattr(self, code).form
            given = {}
            for name in texts:
                value = inputs[name].data or ""
                value = value if name == "description" else value.strip()
                if value.strip():
                    given[name] = value
            if given:
                result[code] = given
        return result

    def fill_texts(self, texts: tuple[str, ...], translations: dict | None) -> None:
        for code, _ in FORM_LANGUAGES:
            given = (translations or {}).get(code) or {}
            for name in texts:
                getattr(self, code).form[name].data = given.get(name, "")

    # --- reading typed values ------------------------------------------------

    def parsed(self, field):
        """The field's value as WTForms read it; Unparsed when it could not."""
        if field.errors:
            raise Unparsed
        return field.data

    def text(self, field) -> str:
        return (self.parsed(field) or "").strip()

    def amount(self, field, currency: str) -> int | None:
        """Major units typed by a person -> minor units; the schema checks the bounds."""
        text = (self.parsed(field) or "").strip()
        if not text:
            return None
        try:
            return money.parse_amount(text, currency, current_locale())
        except (InvalidOperation, MoneyError, ValueError):
            field.errors = [*field.errors, amount_hint(currency)]
            raise Unparsed from None

    def moment(self, field, zone: str) -> str | None:
        """A local time typed for the event's zone, as the API's ISO 8601 with offset."""
        local = self.parsed(field)
        return None if local is None else to_utc(local, zone).isoformat()


class EventForm(SchemaForm):
    schema = EventCreateSchema

    name = StringField(lazy_gettext("Name"))
    description = TextAreaField(lazy_gettext("Description"))
    venue = StringField(lazy_gettext("Venue"))
    starts_at = DateTimeLocalField(
        lazy_gettext("Starts at (local time)"), format=LOCAL_FORMATS, validators=[Optional()]
    )
    timezone = SelectField(lazy_gettext("Time zone"), default="Europe/Istanbul")
    currency = SelectField(lazy_gettext("Currency"), default="EUR")
    goal = StringField(lazy_gettext("Fundraising goal"), validators=[Optional(), Length(max=30)])
    beneficiary = StringField(lazy_gettext("Beneficiary"))
    published = BooleanField(lazy_gettext("Published (visible to the public)"))
    default_locale = SelectField(lazy_gettext("Default language"), default="en")
    slug = StringField(lazy_gettext("Web address"), validators=[Optional(), Length(max=120)])
    payment_methods = SelectMultipleField(
        lazy_gettext("Ways to pay"),
        choices=[
            SelectChoice("card", lazy_gettext("Card (online, through Stripe)")),
            SelectChoice("door", lazy_gettext("Reserve now, pay in cash at the door")),
            SelectChoice("transfer", lazy_gettext("Bank transfer")),
        ],
        default=["card"],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    # Says the boxes above were on the page: none ticked is then a choice to refuse
    # (a client posting without them leaves the ways to pay as they are).
    payment_methods_shown = HiddenField(default="1")
    transfer_instructions = TextAreaField(lazy_gettext("Bank transfer instructions"))
    reservations_until = DateTimeLocalField(
        lazy_gettext("Unpaid reservations lapse at (local time)"),
        format=LOCAL_FORMATS,
        validators=[Optional()],
    )
    unpaid_seats_cap = IntegerField(
        lazy_gettext("Most seats unpaid reservations may hold"),
        validators=[Optional(), NumberRange(min=0)],
    )

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
        self.slug.data = event.slug
        self.starts_at.data = to_local(event.starts_at, event.timezone)
        self.goal.data = show_amount(event.goal_minor, event.currency)
        self.payment_methods.data = list(event.payment_methods or ["card"])
        self.transfer_instructions.data = event.transfer_instructions
        self.reservations_until.data = to_local(event.reservations_until, event.timezone)
        self.unpaid_seats_cap.data = event.unpaid_seats_cap
        self.fill_texts(EVENT_TEXTS, event.translations)

    def request(self, current=None):
        return {
            "name": lambda: self.text(self.name),
            "description": lambda: self.parsed(self.description) or "",
            "venue": lambda: self.text(self.venue),
            "starts_at": lambda: self.moment(self.starts_at, self.parsed(self.timezone)),
            "timezone": lambda: self.parsed(self.timezone),
            "currency": lambda: self.parsed(self.currency),
            "goal_minor": lambda: self.amount(self.goal, self.parsed(self.currency)),
            "beneficiary": lambda: self.text(self.beneficiary),
            "published": lambda: bool(self.published.data),
            "default_locale": lambda: self.parsed(self.default_locale) or "en",
            "translations": lambda: self.texts(EVENT_TEXTS, getattr(current, "translations", None)),
            # Empty: made from the name (new event) or left as it is.
            "slug": lambda: self.text(self.slug) or None,
            "payment_methods": self.ways_to_pay,
            "transfer_instructions": lambda: self.parsed(self.transfer_instructions) or "",
            "reservations_until": lambda: self.moment(
                self.reservations_until, self.parsed(self.timezone)
            ),
            "unpaid_seats_cap": lambda: self.parsed(self.unpaid_seats_cap),
        }

    def ways_to_pay(self) -> list[str] | None:
        chosen = list(self.parsed(self.payment_methods) or [])
        return chosen or ([] if self.payment_methods_shown.raw_data else None)


class TierForm(SchemaForm):
    schema = TicketTypeCreateSchema

    name = StringField(lazy_gettext("Name"))
    description = TextAreaField(lazy_gettext("Description"))
    price = StringField(lazy_gettext("Price"), validators=[Optional(), Length(max=30)])
    capacity = IntegerField(lazy_gettext("Capacity"), validators=[Optional()])
    pay_what_you_want = BooleanField(
        lazy_gettext("Pay what you want (the price is the suggestion)")
    )
    min_price = StringField(lazy_gettext("Minimum price"), validators=[Optional(), Length(max=30)])
    max_per_order = IntegerField(
        lazy_gettext("Most per order"), default=10, validators=[Optional()]
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
        self.fill_texts(TIER_TEXTS, tier.translations)

    def request(self, event, current=None):
        currency, zone = event.currency, event.timezone
        return {
            "name": lambda: self.text(self.name),
            "description": lambda: self.parsed(self.description) or "",
            "price_minor": lambda: self.amount(self.price, currency),
            "capacity": lambda: self.parsed(self.capacity),
            "pay_what_you_want": lambda: bool(self.pay_what_you_want.data),
            "min_price_minor": lambda: self.amount(self.min_price, currency),
            "max_per_order": lambda: self.parsed(self.max_per_order),
            "sales_start": lambda: self.moment(self.sales_start, zone),
            "sales_end": lambda: self.moment(self.sales_end, zone),
            "translations": lambda: self.texts(TIER_TEXTS, getattr(current, "translations", None)),
        }


add_language_inputs(EventForm, EVENT_TEXTS)
add_language_inputs(TierForm, TIER_TEXTS)
