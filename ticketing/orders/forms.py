"""The buy form on the event page: typed major-unit amounts to an order request.

Fields are dynamic (one quantity per tier, an amount for pay-what-you-want
tiers), so they are parsed here rather than declared in WTForms; CSRF is
still checked by Flask-WTF's CSRFProtect like every form. Only the typing is
the form's own (major units, a quantity per tier): the parsed request is
then loaded through the API's `OrderCreateSchema`, so the rules live once,
and its errors are shown on the form's fields.
"""

from dataclasses import dataclass, field

from flask_babel import gettext, lazy_gettext
from marshmallow import ValidationError

from ticketing.i18n import amount_hint, current_locale
from ticketing.money import MoneyError, parse_amount
from ticketing.orders.schemas import OrderCreateSchema
from ticketing.orders.services import ItemRequest
from ticketing.schemas import CONTROL_MESSAGE, translated_errors

# What the form says instead of the schema's terse message, per field.
FRIENDLY_MESSAGES = {
    "buyer_name": lazy_gettext("Tell us your name (it goes on the tickets)."),
    "buyer_email": lazy_gettext("Enter the email address your tickets go to."),
}


@dataclass
class BuyForm:
    values: dict
    errors: dict = field(default_factory=dict)
    items: list[ItemRequest] = field(default_factory=list)
    donation_minor: int = 0
    # items[i] of the service's errors is the tier at tier_ids[i]
    tier_ids: list[int] = field(default_factory=list)

    def service_field(self, name: str | None) -> str:
        """Map a service error field ("items.0.price_minor") to a form field."""
        if not name or not name.startswith("items."):
            return {"donation_minor": "donation", "total_minor": "form"}.get(
                name or "", name or "form"
            )
        parts = name.split(".")
        index = int(parts[1]) if parts[1].isdigit() else -1
        if not 0 <= index < len(self.tier_ids):
            return "form"
        prefix = "price" if parts[-1] == "price_minor" else "qty"
        return f"{prefix}_{self.tier_ids[index]}"


def _amount(form: BuyForm, name: str, currency: str) -> int | None:
    raw = (form.values.get(name) or "").strip()
    if not raw:
        return None
    try:
        minor = parse_amount(raw, currency, current_locale())
    except (MoneyError, ArithmeticError, ValueError):
        form.errors[name] = amount_hint(currency)
        return None
    if minor < 0:
        form.errors[name] = gettext("The amount cannot be negative.")
        return None
    return minor


def _quantity(form: BuyForm, name: str) -> int:
    raw = (form.values.get(name) or "0").strip()
    if not raw.isdigit():
        form.errors[name] = gettext("Choose how many tickets.")
        return 0
    return int(raw)


def parse_buy_form(values: dict, event) -> BuyForm:
    form = BuyForm(values={key: value for key, value in values.items() if key != "csrf_token"})
    for tier in event.ticket_types:
        quantity = _quantity(form, f"qty_{tier.id}")
        price = (
            _amount(form, f"price_{tier.id}", event.currency) if tier.pay_what_you_want else None
        )
        if quantity > 0:
            form.items.append(ItemRequest(tier.id, quantity, price))
            form.tier_ids.append(tier.id)
    form.donation_minor = _amount(form, "donation", event.currency) or 0
    _load_through_schema(form)
    return form


def _load_through_schema(form: BuyForm) -> None:
    """The API's rules on what was typed; each error lands on its form field."""
    request = {
        "buyer_name": form.values.get("buyer_name", "").strip(),
        "buyer_email": form.values.get("buyer_email", "").strip(),
        "items": [
            {
                "ticket_type_id": i.ticket_type_id,
                "quantity": i.quantity,
                "price_minor": i.price_minor,
            }
            for i in form.items
        ],
        "donation_minor": form.donation_minor,
    }
    try:
        OrderCreateSchema().load(request)
    except ValidationError as exc:
        for path, message in _flat_errors(exc.normalized_messages()):
            name = form.service_field(path)
            if name not in FRIENDLY_MESSAGES and not name.startswith(("qty_", "price_", "don")):
                name = "form"  # a rule on the whole request (too many lines)
            if name not in form.errors:
                form.errors[name] = _form_message(name, message)


def _flat_errors(messages, prefix: str = ""):
    """("items.0.quantity", first message) for each field the schema refused."""
    for key, value in messages.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flat_errors(value, path + ".")
        else:
            yield path, value[0] if isinstance(value, list) else str(value)


def _form_message(name: str, message: str) -> str:
    if message == str(CONTROL_MESSAGE):
        return message
    return str(FRIENDLY_MESSAGES.get(name) or translated_errors(message))
