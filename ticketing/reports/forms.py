"""Dashboard forms (Flask-WTF, so every post carries a CSRF token).

Amounts are typed in major units ("12.50") and turned into exact minor
units with the event's currency; a mistyped amount is an error next to the
field, and the form keeps what was typed.
"""

import secrets
from decimal import InvalidOperation

from flask_babel import gettext, lazy_gettext
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from ticketing.forms import BaseForm
from ticketing.i18n import amount_hint, current_locale
from ticketing.money import MoneyError, parse_amount
from ticketing.payments.manual import MAX_AMOUNT_MINOR, MAX_DOOR_QUANTITY
from ticketing.payments.models import MANUAL_METHODS

METHOD_NAMES = {
    "cash": lazy_gettext("Cash"),
    "bank_transfer": lazy_gettext("Bank transfer"),
    "other": lazy_gettext("Other"),
}
METHOD_CHOICES = [
    SelectChoice(m, METHOD_NAMES.get(m, m.replace("_", " ").capitalize())) for m in MANUAL_METHODS
]


def amount_minor(field, currency: str, required: bool, zero_allowed: bool = False) -> int | None:
    """The field's amount in minor units, or None (with an error on the field if wrong).

    `zero_allowed`: a count (a cash box may hold nothing), where any amount
    out of range gets the format hint rather than "above zero".
    """
    text = (field.data or "").strip()
    if not text:
        if required:
            field.errors = [*field.errors, gettext("Enter an amount.")]
        return None
    try:
        value = parse_amount(text, currency, current_locale())
    except (MoneyError, InvalidOperation, ValueError):
        field.errors = [*field.errors, amount_hint(currency)]
        return None
    lowest = 0 if zero_allowed else 1
    if not lowest <= value <= MAX_AMOUNT_MINOR:
        message = (
            amount_hint(currency) if zero_allowed else gettext("The amount must be above zero.")
        )
        field.errors = [*field.errors, message]
        return None
    return value


class DonationForm(BaseForm):
    amount = StringField(lazy_gettext("Amount"), validators=[InputRequired(), Length(max=20)])
    method = SelectField(lazy_gettext("Paid by"), choices=METHOD_CHOICES)
    note = TextAreaField(lazy_gettext("Note"), validators=[Length(max=2000)])


class DoorSaleForm(BaseForm):
    ticket_type_id = SelectField(lazy_gettext("Ticket type"), coerce=int, choices=[])
    quantity = IntegerField(
        lazy_gettext("How many"),
        default=1,
        validators=[InputRequired(), NumberRange(1, MAX_DOOR_QUANTITY)],
    )
    amount = StringField(
        lazy_gettext("Amount received"), validators=[Optional(), Length(max=20)],
        description=lazy_gettext("Leave empty for the ticket price times the quantity."),
    )  # fmt: skip
    method = SelectField(lazy_gettext("Paid by"), choices=METHOD_CHOICES)
    buyer_name = StringField(lazy_gettext("Name (optional)"), validators=[Length(max=200)])
    buyer_email = StringField(
        lazy_gettext("Email (optional)"),
        validators=[Optional(), Length(max=254), Regexp(r"^[^@\s]+@[^@\s]+$")],
        description=lazy_gettext("The tickets are emailed there."),
    )  # fmt: skip
    note = TextAreaField(lazy_gettext("Note"), validators=[Length(max=2000)])


class VoidForm(BaseForm):
    reason = StringField(
        lazy_gettext("Why void it?"), validators=[InputRequired(), Length(max=2000)]
    )


def one_time_key() -> str:
    return "form-" + secrets.token_urlsafe(18)


class RefundForm(BaseForm):
    amount = StringField(
        lazy_gettext("Amount to refund"), validators=[Optional(), Length(max=20)],
        description=lazy_gettext("Leave empty to refund everything still refundable."),
    )  # fmt: skip
    # Made when the form is rendered: a double submit or a retry of this
    # form is the same refund (the refund API's Idempotency-Key).
    key = HiddenField(default=one_time_key, validators=[Optional(), Length(max=255)])


class ResendForm(BaseForm):
    """Only the CSRF token: the button resends to the order's email."""


RECEIVED_CHOICES = [
    SelectChoice("bank_transfer", METHOD_NAMES["bank_transfer"]),
    SelectChoice("cash", METHOD_NAMES["cash"]),
]


class ReservationPaymentForm(BaseForm):
    """Money received toward a reservation, found by its payment reference."""

    reference = StringField(
        lazy_gettext("Payment reference"), validators=[InputRequired(), Length(max=100)]
    )
    amount = StringField(
        lazy_gettext("Amount received"), validators=[InputRequired(), Length(max=20)]
    )
    method = SelectField(lazy_gettext("Paid by"), choices=RECEIVED_CHOICES)


class CloseCashBoxForm(BaseForm):
    """The cash counted in one volunteer's or device's box at the end of the night."""

    box = HiddenField(validators=[InputRequired(), Length(max=12)])
    counted = StringField(lazy_gettext("Counted"), validators=[InputRequired(), Length(max=20)])
    note = StringField(lazy_gettext("Note"), validators=[Length(max=500)])
