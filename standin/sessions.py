"""Checkout Sessions: create (validated like Stripe), expire, and lazy expiry by time."""

import hashlib

from standin import params as p
from standin.core import StandIn
from standin.errors import StripeFailure
from standin.objects import load
from standin.store import Tx, new_id
from ticketing import money

MIN_EXPIRY_SECONDS = 30 * 60
MAX_EXPIRY_SECONDS = 24 * 3600
# The SDK call takes a moment; a session asked for "30 minutes from now" is fine.
EXPIRY_GRACE_SECONDS = 10
MAX_AMOUNT_MINOR = 99_999_999

# Parameters Stripe accepts for a Checkout Session. Ones the stand-in does
# not simulate are accepted and ignored, as long as Stripe knows them.
SESSION_PARAMS = frozenset(
    [
        "mode",
        "line_items",
        "metadata",
        "client_reference_id",
        "payment_intent_data",
        "customer_email",
        "customer",
        "success_url",
        "cancel_url",
        "expires_at",
        "payment_method_types",
        "locale",
        "submit_type",
        "customer_creation",
        "allow_promotion_codes",
        "billing_address_collection",
        "phone_number_collection",
        "custom_text",
        "custom_fields",
        "expand",
        "ui_mode",
        "return_url",
        "currency",
        "consent_collection",
        "invoice_creation",
        "automatic_tax",
        "tax_id_collection",
        "discounts",
        "payment_method_options",
        "shipping_address_collection",
        "shipping_options",
        "after_expiration",
        "redirect_on_completion",
        "saved_payment_method_options",
        "payment_method_collection",
        "customer_update",
    ]
)
LINE_ITEM_PARAMS = frozenset(
    ["price_data", "quantity", "price", "adjustable_quantity", "tax_rates", "dynamic_tax_rates"]
)
PRICE_DATA_PARAMS = frozenset(
    ["currency", "unit_amount", "unit_amount_decimal", "product_data", "product", "tax_behavior"]
)
PRODUCT_DATA_PARAMS = frozenset(
    ["name", "description", "images", "metadata", "tax_code", "unit_label"]
)
PAYMENT_INTENT_DATA_PARAMS = frozenset(
    [
        "metadata",
        "description",
        "statement_descriptor",
        "statement_descriptor_suffix",
        "receipt_email",
        "capture_method",
        "setup_future_usage",
        "transfer_data",
        "on_behalf_of",
        "application_fee_amount",
        "shipping",
        "transfer_group",
    ]
)


def create(standin: StandIn, tx: Tx, params: dict, page_url) -> dict:
    """Validate like Stripe, then store an open session; `page_url(id)` is its hosted page."""
    p.check_known(params, SESSION_PARAMS)
    mode = p.as_str(params.get("mode"), "mode", required=True)
    if mode != "payment":
        raise StripeFailure(
            f"The offline stand-in simulates mode=payment only, not {mode!r}.",
            code="parameter_invalid",
            param="mode",
        )
    now = standin.now()
    expires_at = _expires_at(params.get("expires_at"), now)
    line_items, currency = _line_items(params.get("line_items"))
    total = sum(item["amount_total"] for item in line_items)
    _check_total(total, currency, standin.settlement_currency)
    intent_data = params.get("payment_intent_data") or {}
    p.check_known(intent_data, PAYMENT_INTENT_DATA_PARAMS, "payment_intent_data")
    session_id = new_id("cs_test_", 58)
    session = {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": total,
        "amount_total": total,
        "cancel_url": p.as_redirect_url(
            params.get("cancel_url"), "cancel_url", standin.allowed_origin
        ),
        "client_reference_id": p.as_str(
            params.get("client_reference_id"), "client_reference_id", max_length=200
        ),
        "created": now,
        "currency": currency,
        "customer": None,
        "customer_details": None,
        "customer_email": p.as_str(params.get("customer_email"), "customer_email", max_length=800),
        "expires_at": expires_at,
        "livemode": False,
        "locale": p.as_str(params.get("locale"), "locale"),
        "metadata": p.as_metadata(params.get("metadata")),
        "mode": mode,
        "payment_intent": None,
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "status": "open",
        "success_url": p.as_redirect_url(
            params.get("success_url"), "success_url", standin.allowed_origin, required=True
        ),
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "url": page_url(session_id),
        "_line_items": line_items,
        "_payment_intent_data": {
            "metadata": p.as_metadata(intent_data.get("metadata"), "payment_intent_data[metadata]"),
            "description": p.as_str(
                intent_data.get("description"), "payment_intent_data[description]"
            ),
        },
    }
    return tx.insert(session)


def _expires_at(value, now: int) -> int:
    if value is None or value == "":
        return now + MAX_EXPIRY_SECONDS
    expires_at = p.as_int(value, "expires_at")
    if expires_at < now + MIN_EXPIRY_SECONDS - EXPIRY_GRACE_SECONDS:
        raise StripeFailure(
            "The `expires_at` timestamp must be at least 30 minutes from Checkout Session "
            "creation.",
            code="parameter_invalid_integer",
            param="expires_at",
        )
    if expires_at > now + MAX_EXPIRY_SECONDS:
        raise StripeFailure(
            "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
            code="parameter_invalid_integer",
            param="expires_at",
        )
    return expires_at


def _line_items(value) -> tuple[list[dict], str]:
    if not value:
        raise StripeFailure(
            "Missing required param: line_items.", code="parameter_missing", param="line_items"
        )
    if not isinstance(value, list):
        raise StripeFailure("Invalid array", code="parameter_invalid", param="line_items")
    items, currencies = [], set()
    for index, raw in enumerate(value):
        where = f"line_items[{index}]"
        p.check_known(raw, LINE_ITEM_PARAMS, where)
        if raw.get("price"):
            raise StripeFailure(
                f"No such price: '{raw['price']}' (the stand-in knows only price_data).",
                status=400,
                code="resource_missing",
                param=f"{where}[price]",
            )
        price = raw.get("price_data")
        if not isinstance(price, dict):
            raise StripeFailure(
                f"Missing required param: {where}[price_data].",
                code="parameter_missing",
                param=f"{where}[price_data]",
            )
        p.check_known(price, PRICE_DATA_PARAMS, f"{where}[price_data]")
        currency = _currency(price.get("currency"), f"{where}[price_data][currency]")
        unit_amount = p.as_int(
            _required(price, "unit_amount", f"{where}[price_data]"),
            f"{where}[price_data][unit_amount]",
            minimum=0,
            maximum=MAX_AMOUNT_MINOR,
        )
        product = _required(price, "product_data", f"{where}[price_data]")
        p.check_known(product, PRODUCT_DATA_PARAMS, f"{where}[price_data][product_data]")
        name = p.as_str(
            product.get("name"), f"{where}[price_data][product_data][name]", required=True
        )
        quantity = p.as_int(
            _required(raw, "quantity", where),
            f"{where}[quantity]",
            minimum=1,
            maximum=999_999,
        )
        currencies.add(currency)
        items.append(_line_item(name, currency, unit_amount, quantity, product))
    if len(currencies) > 1:
        raise StripeFailure(
            "All line items must use the same currency.",
            code="parameter_invalid",
            param="line_items",
        )
    return items, currencies.pop()


def _line_item(name, currency, unit_amount, quantity, product) -> dict:
    digest = hashlib.sha256(f"{name}|{currency}|{unit_amount}".encode()).hexdigest()[:24]
    amount = unit_amount * quantity
    return {
        "id": new_id("li_"),
        "object": "item",
        "amount_discount": 0,
        "amount_subtotal": amount,
        "amount_tax": 0,
        "amount_total": amount,
        "currency": currency,
        "description": name,
        "price": {
            "id": "price_" + digest,
            "object": "price",
            "active": False,
            "currency": currency,
            "product": "prod_" + digest,
            "type": "one_time",
            "unit_amount": unit_amount,
        },
        "quantity": quantity,
        "_description": product.get("description"),
    }


def _required(container: dict, key: str, where: str):
    value = container.get(key)
    if value is None or value == "":
        param = f"{where}[{key}]"
        raise StripeFailure(
            f"Missing required param: {param}.", code="parameter_missing", param=param
        )
    return value


def _currency(value, param: str) -> str:
    code = p.as_str(value, param, required=True)
    if not money.is_known_currency(code):
        raise StripeFailure(f"Invalid currency: {code}.", code="parameter_invalid", param=param)
    return code.lower()


def _check_total(total: int, currency: str, settlement: str) -> None:
    """Stripe's limits, from the app's own money rules (ticketing.money): the
    minimum in the charge currency, and after conversion to the settlement one."""
    minimum = money.minimum_charge_minor(currency)
    if total < minimum:
        raise StripeFailure(
            "The Checkout Session's total amount due must add up to at least "
            f"{money.format_money(minimum, currency)} {currency}.",
            code="amount_too_small",
            param="line_items",
        )
    if money.below_settlement_minimum(total, currency, settlement):
        converted = money.approx_convert_minor(total, currency, settlement)
        floor = money.minimum_charge_minor(settlement)
        raise StripeFailure(
            "The Checkout Session's total amount due must convert to at least "
            f"{money.format_money(floor, settlement)} {settlement}. "
            f"{money.format_money(total, currency)} converts to approximately "
            f"{money.format_money(converted, settlement)} {settlement}.",
            code="amount_too_small",
            param="line_items",
        )
    if total > MAX_AMOUNT_MINOR:
        raise StripeFailure(
            "The Checkout Session's total amount due must be no more than "
            f"{money.format_money(MAX_AMOUNT_MINOR, currency)} {currency}.",
            code="amount_too_large",
            param="line_items",
        )
    if money.exponent(currency) == 3 and total % 10:
        raise StripeFailure(
            f"Amounts in {currency.upper()} must be rounded to the nearest ten "
            "(the last digit must be 0).",
            code="invalid_charge_amount",
            param="line_items",
        )


# expiry ------------------------------------------------------------------


def expire(standin: StandIn, tx: Tx, session: dict) -> dict:
    """open -> expired, with its one `checkout.session.expired` event."""
    session.update(status="expired", url=None)
    tx.update(session)
    standin.emit(tx, "checkout.session.expired", session)
    return session


def is_due(standin: StandIn, session: dict) -> bool:
    return session["status"] == "open" and session["expires_at"] <= standin.now()


def fresh(standin: StandIn, session_id: str) -> dict:
    """Read a session, expiring it first when its time has run out (once, under the lock)."""
    with standin.store.read() as tx:
        session = load(tx, session_id, "checkout.session", "checkout.session")
    if not is_due(standin, session):
        return session
    with standin.unit_of_work() as tx:
        session = load(tx, session_id, "checkout.session", "checkout.session")
        if is_due(standin, session):
            expire(standin, tx, session)
    return session


def expire_by_request(standin: StandIn, tx: Tx, session_id: str) -> dict:
    """POST /v1/checkout/sessions/{id}/expire: only an open session can be expired."""
    session = load(tx, session_id, "checkout.session", "checkout.session")
    if session["status"] != "open":
        raise StripeFailure(
            f'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout '
            f'Session has a status of "{session["status"]}".'
        )
    return expire(standin, tx, session)
