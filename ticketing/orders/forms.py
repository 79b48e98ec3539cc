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
    "payment_method": lazy_gettext("Choose one of the ways to pay offered here."),
}
# Where each error of the form is: the id of the input the summary links to.
FIRST_INPUT = {"form": "buy-form", "payment_method": "payment_method-0"}


def error_links(errors: dict, tier_ids: list[int]) -> list[tuple[str, str]]:
    """(input id, message) per error, in the page's order, for the error summary."""
    order = ["form", *(f"{kind}_{tier_id}" for tier_id in tier_ids for kind in ("qty", "price"))]
    order += ["donation", "buyer_name", "buyer_email", "payment_method"]
    keys = sorted(errors, key=lambda k: (order.index(k) if k in order else len(order), k))
    return [(FIRST_INPUT.get(key, key), errors[key]) for key in keys]


@dataclass
class BuyForm:
    values: dict
    errors: dict = field(default_factory=dict)
    items: list[ItemRequest] = field(default_factory=list)
    donation_minor: int = 0
    # items[i] of the service's errors is the tier at tier_ids[i]
    tier_ids: list[int] = field(default_factory=list)
    payment_method: str = "card"
    total_minor: int = 0  # what was chosen comes to (shown before the buyer leaves)

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
    allowed = list(event.payment_methods or ["card"])
    form.payment_method = (form.values.get("payment_method") or allowed[0]).strip()
    prices = {tier.id: tier.price_minor for tier in event.ticket_types}
    form.total_minor = form.donation_minor + sum(
        (item.price_minor if item.price_minor is not None else prices[item.ticket_type_id])
        * item.quantity
        for item in form.items
    )
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
        "payment_method": form.payment_method,
    }
    try:
        OrderCreateSchema().load(request)
    except ValidationError as exc:
        for path, message in _flat_errors(exc.normalized_messages()):
            name = form.service_field(path)
            known = name in FRIENDLY_MESSAGES or name == "payment_method"
            if not known and not name.startswith(("qty_", "price_", "don")):
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
