"""Money as integer minor units next to an ISO 4217 currency. No floats.

Stripe's rules live here: which currencies have no minor unit, which have
three decimals (Stripe wants the last digit 0), and the smallest charge
Stripe accepts per currency.
"""

from decimal import Decimal

from babel.numbers import format_currency, list_currencies

# https://docs.stripe.com/currencies#zero-decimal
ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
# https://docs.stripe.com/currencies#three-decimal
THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])

# Smallest charge Stripe accepts, in minor units
# (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
# Currencies not listed must be worth at least 0.50 USD; the figures below
# are conservative equivalents for the currencies our organizers use.
STRIPE_MINIMUM_MINOR = {
    "USD": 50,
    "AED": 200,
    "AUD": 50,
    "BGN": 100,
    "BRL": 50,
    "CAD": 50,
    "CHF": 50,
    "CZK": 1500,
    "DKK": 250,
    "EUR": 50,
    "GBP": 30,
    "HKD": 400,
    "HUF": 17500,
    "INR": 50,
    "JPY": 50,
    "MXN": 1000,
    "MYR": 200,
    "NOK": 300,
    "NZD": 50,
    "PLN": 200,
    "RON": 200,
    "SEK": 300,
    "SGD": 50,
    "THB": 1000,
    "TRY": 2000,
    "GEL": 200,
    "ILS": 200,
    "KRW": 700,
    "KWD": 200,
    "BHD": 200,
    "JOD": 400,
    "OMR": 200,
    "TND": 2000,
    "RSD": 6000,
    "AMD": 20000,
    "KZT": 25000,
    "UAH": 2100,
}
DEFAULT_MINIMUM_USD_CENTS = 50
# Stripe refuses a charge (and a Checkout line's unit amount) above eight digits.
STRIPE_MAXIMUM_MINOR = 99_999_999

KNOWN_CURRENCIES = frozenset(c for c in list_currencies() if len(c) == 3 and c.isalpha())


class MoneyError(ValueError):
    """A money amount that Stripe or the rules here would refuse."""


def is_known_currency(code: str) -> bool:
    return isinstance(code, str) and code.upper() in KNOWN_CURRENCIES


def exponent(currency: str) -> int:
    """How many decimal digits the currency's minor unit has (Stripe's view)."""
    currency = currency.upper()
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def minimum_charge_minor(currency: str) -> int:
    """The smallest amount Stripe will charge in this currency, in minor units."""
    currency = currency.upper()
    if currency in STRIPE_MINIMUM_MINOR:
        return STRIPE_MINIMUM_MINOR[currency]
    # Unknown rate: ask for at least 0.50 of a major unit (or 50 units when
    # there is no minor unit), which is never below Stripe's USD floor for
    # the currencies this product is used with.
    return DEFAULT_MINIMUM_USD_CENTS * 10 ** max(exponent(currency) - 2, 0)


def stripe_amount(amount_minor: int, currency: str) -> int:
    """The amount to send to Stripe: three-decimal currencies end in 0."""
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool):
        raise MoneyError("amounts are integers in minor units")
    if exponent(currency) == 3:
        return (amount_minor // 10) * 10
    return amount_minor


def check_chargeable(amount_minor: int, currency: str) -> None:
    """Refuse totals Stripe would refuse, with a message a buyer understands."""
    if exponent(currency) == 3 and amount_minor % 10:
        raise MoneyError(
            f"{currency} amounts must be a multiple of 10 minor units "
            f"(Stripe charges {currency} to two decimals)."
        )
    minimum = minimum_charge_minor(currency)
    if 0 < amount_minor < minimum:
        raise MoneyError(
            f"The total must be at least {format_money(minimum, currency)} "
            "to pay by card (or zero for a free order)."
        )
    if amount_minor > STRIPE_MAXIMUM_MINOR:
        raise MoneyError(
            f"The total can be at most {format_money(STRIPE_MAXIMUM_MINOR, currency)} "
            "to pay by card."
        )


def to_decimal(amount_minor: int, currency: str) -> Decimal:
    return Decimal(amount_minor).scaleb(-exponent(currency))


def from_decimal(amount: Decimal | str, currency: str) -> int:
    """Parse a major-unit amount typed by a person ("12.50") into minor units."""
    value = Decimal(str(amount).strip().replace(",", "."))
    minor = value.scaleb(exponent(currency))
    if minor != minor.to_integral_value():
        raise MoneyError(f"too many decimals for {currency}")
    return int(minor)


def format_money(amount_minor: int, currency: str, locale: str = "en_US") -> str:
    """Format for people, through Babel, with the currency's own digits."""
    return format_currency(to_decimal(amount_minor, currency), currency.upper(), locale=locale)
