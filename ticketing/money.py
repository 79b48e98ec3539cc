"""Money as integer minor units next to an ISO 4217 currency. No floats.

Stripe's rules live here: which currencies have no minor unit, which have
three decimals (Stripe wants the last digit 0), and the smallest charge
Stripe accepts per currency.
"""

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import (
    NumberFormatError,
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    list_currencies,
    parse_decimal,
)

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


# Currencies Stripe cannot charge for this product's buyers: Stripe does not
# process payments for Russia, and Russian-issued cards cannot be charged. Such
# events could take cash or bank transfers only (once those exist).
NOT_CHARGEABLE_BY_CARD = frozenset(["RUB"])

DEFAULT_SETTLEMENT_CURRENCY = "USD"
# Approximate value of one major unit in US dollars, used ONLY to check
# Stripe's minimum charge after conversion to the settlement currency (and by
# the stand-in to play Stripe's conversion). Money is never booked with these:
# fees are converted with the balance transaction's own exchange_rate.
# Order of magnitude of late 2025 rates; MINIMUM_SAFETY_MARGIN absorbs drift.
APPROX_USD_PER_UNIT = {
    code: Decimal(rate)
    for code, rate in {
        "USD": "1", "EUR": "1.08", "GBP": "1.27", "CHF": "1.13", "CAD": "0.73",
        "AUD": "0.66", "NZD": "0.60", "JPY": "0.0067", "SEK": "0.095", "NOK": "0.094",
        "DKK": "0.145", "PLN": "0.25", "CZK": "0.043", "HUF": "0.0027", "RON": "0.22",
        "BGN": "0.55", "TRY": "0.029", "GEL": "0.37", "AMD": "0.0026", "AED": "0.27",
        "ILS": "0.27", "KZT": "0.002", "UAH": "0.024", "RUB": "0.011", "RSD": "0.0092",
        "INR": "0.012", "BRL": "0.18", "MXN": "0.055", "HKD": "0.128", "SGD": "0.74",
        "MYR": "0.22", "THB": "0.028", "KRW": "0.00072", "KWD": "3.25", "BHD": "2.65",
        "JOD": "1.41", "OMR": "2.60", "TND": "0.32",
    }.items()
}  # fmt: skip
# A charge must be worth at least this many times the settlement currency's
# minimum (rates move; Stripe converts at its own rate of the day).
MINIMUM_SAFETY_MARGIN = Decimal("1.25")


class MoneyError(ValueError):
    """A money amount that Stripe or the rules here would refuse.

    `reason` and `limit_minor` let a caller say it in the reader's language
    (the message itself is English, for logs and the stand-in)."""

    def __init__(self, message: str, reason: str = "", limit_minor: int | None = None):
        super().__init__(message)
        self.reason, self.limit_minor = reason, limit_minor


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


def minimum_charge_minor(currency: str, settlement: str | None = None) -> int:
    """The smallest amount to charge in `currency`, in minor units.

    With a `settlement` currency other than the charge's, the charge must also
    be worth Stripe's minimum in the settlement currency, times the safety
    margin, converted at the approximate rate (rounded up).
    """
    own = _own_minimum_minor(currency)
    if not settlement or settlement.upper() == currency.upper():
        return own
    floor = Decimal(_own_minimum_minor(settlement)) * MINIMUM_SAFETY_MARGIN
    needed = approx_convert_minor(floor, settlement, currency, ROUND_CEILING)
    if needed is None:
        return own
    if exponent(currency) == 3:
        needed = -(-needed // 10) * 10
    return max(own, needed)


def approx_convert_minor(amount_minor, from_currency: str, to_currency: str, rounding=ROUND_FLOOR):
    """`amount_minor` of one currency in minor units of another, at the approximate
    rate; None when a rate is unknown. For minimum checks only."""
    rate_from = APPROX_USD_PER_UNIT.get(from_currency.upper())
    rate_to = APPROX_USD_PER_UNIT.get(to_currency.upper())
    if rate_from is None or rate_to is None:
        return None
    major = Decimal(amount_minor).scaleb(-exponent(from_currency)) * rate_from / rate_to
    return int(major.scaleb(exponent(to_currency)).to_integral_value(rounding=rounding))


def approx_exchange_rate(from_currency: str, to_currency: str) -> Decimal | None:
    """Major units of `to_currency` per major unit of `from_currency` (Stripe's
    balance transaction `exchange_rate`, as the stand-in plays it)."""
    rate_from = APPROX_USD_PER_UNIT.get(from_currency.upper())
    rate_to = APPROX_USD_PER_UNIT.get(to_currency.upper())
    if rate_from is None or rate_to is None:
        return None
    return (rate_from / rate_to).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def below_settlement_minimum(amount_minor: int, currency: str, settlement: str) -> bool:
    """Stripe's own rule (no margin): converted to the settlement currency, is
    the charge below Stripe's minimum there? The stand-in answers amount_too_small."""
    if settlement.upper() == currency.upper():
        return amount_minor < _own_minimum_minor(currency)
    converted = approx_convert_minor(amount_minor, currency, settlement)
    return converted is not None and converted < _own_minimum_minor(settlement)


def to_charge_currency(settled_minor: int, settled: str, charged: str, exchange_rate) -> int:
    """An amount Stripe booked in the settlement currency (a fee), in the charge's.

    Stripe's exchange_rate converts charge -> settlement (charge major units x
    rate = settlement major units), so this divides by it; computed in Decimal
    from the rate's text and rounded half up to the charge currency's minor
    unit: the same inputs always give the same integer.
    """
    if exchange_rate is None or settled.upper() == charged.upper():
        return int(settled_minor)
    rate = Decimal(str(exchange_rate))
    major = Decimal(int(settled_minor)).scaleb(-exponent(settled)) / rate
    return int(major.scaleb(exponent(charged)).to_integral_value(rounding=ROUND_HALF_UP))


def card_currency_problem(code: str) -> str | None:
    """Why card payments cannot be taken in this currency, or None."""
    if isinstance(code, str) and code.upper() in NOT_CHARGEABLE_BY_CARD:
        return (
            f"{code.upper()} cannot be charged by card through Stripe (Stripe does not "
            "process payments for Russia). Choose another currency, such as EUR, USD, TRY "
            "or GEL."
        )
    return None


def _own_minimum_minor(currency: str) -> int:
    """Stripe's minimum in the currency itself, before any conversion."""
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


def check_chargeable(amount_minor: int, currency: str, settlement: str | None = None) -> None:
    """Refuse totals Stripe would refuse, with a message a buyer understands.

    `settlement` is the Stripe account's settlement currency: the minimum
    applies after conversion to it (with a safety margin).
    """
    if exponent(currency) == 3 and amount_minor % 10:
        raise MoneyError(
            f"{currency} amounts must be a multiple of 10 minor units "
            f"(Stripe charges {currency} to two decimals).",
            reason="tens",
        )
    minimum = minimum_charge_minor(currency, settlement)
    if 0 < amount_minor < minimum:
        raise MoneyError(
            f"The total must be at least {format_money(minimum, currency)} "
            "to pay by card (or zero for a free order).",
            reason="minimum",
            limit_minor=minimum,
        )
    if amount_minor > STRIPE_MAXIMUM_MINOR:
        raise MoneyError(
            f"The total can be at most {format_money(STRIPE_MAXIMUM_MINOR, currency)} "
            "to pay by card.",
            reason="maximum",
            limit_minor=STRIPE_MAXIMUM_MINOR,
        )


def to_decimal(amount_minor: int, currency: str) -> Decimal:
    return Decimal(amount_minor).scaleb(-exponent(currency))


def from_decimal(amount: Decimal | str, currency: str) -> int:
    """Parse a major-unit amount typed by a person ("12.50") into minor units."""
    value = Decimal(str(amount).strip().replace(",", "."))
    return _to_minor(value, currency)


def _to_minor(value: Decimal, currency: str) -> int:
    if not value.is_finite():
        raise MoneyError("not a number")
    minor = value.scaleb(exponent(currency))
    if minor != minor.to_integral_value():
        raise MoneyError(f"too many decimals for {currency}")
    return int(minor)


# Spaces people (and spreadsheets) put between groups of digits.
_GROUP_SPACES = ("\u00a0", "\u202f", "\u2009", " ", "'", "’")


def parse_amount(text: str, currency: str, locale: str = "en") -> int:
    """An amount typed by a person in `locale`, in minor units of `currency`.

    Takes what people type in any of our languages: "1 500,00" and
    "1.500,00" (ru, uk, tr), "1,500.00" and "1500.5" (en), with a no-break
    or thin space between groups. Babel's parse_decimal reads the locale's
    own way first; a single separator followed by one or two digits (or the
    currency's own count) is a decimal point whatever the locale. Raises
    MoneyError for anything else (letters, two decimal points, too many
    decimals for the currency).
    """
    raw = (text or "").strip()
    for space in _GROUP_SPACES:
        raw = raw.replace(space, "")
    if not raw or not all(c.isdigit() or c in ".,-" for c in raw):
        raise MoneyError("not an amount")
    value = _read_decimal(raw, currency, locale)
    if value is None:
        raise MoneyError("not an amount")
    return _to_minor(value, currency)


def _read_decimal(raw: str, currency: str, locale: str) -> Decimal | None:
    last = max(raw.rfind("."), raw.rfind(","))
    if last == -1:
        return _decimal(raw)
    separator = raw[last]
    other = "," if separator == "." else "."
    whole, decimals = raw[:last], raw[last + 1 :]
    if raw.count(separator) == 1 and (len(decimals) != 3 or other in raw):
        # "12,5", "1.500,00", "1,500.00": the last separator is the decimal point.
        if not _grouped(whole, other):
            return None
        return _decimal(f"{whole.replace(other, '')}.{decimals}")
    if other in raw:
        return None  # "1.500.00,5" or "1,5.00": not a number people write
    # Only one kind of separator, in groups of three ("1.500", "1,500,000"):
    # group separators, unless the locale reads a lone one as the decimal point.
    try:
        return parse_decimal(raw, locale=_babel_locale(locale), strict=True)
    except NumberFormatError:
        parts = raw.split(separator)
        if all(len(p) == 3 for p in parts[1:]) and 1 <= len(parts[0]) <= 3:
            return _decimal("".join(parts))
        return None


def _grouped(whole: str, separator: str) -> bool:
    """Group separators in `whole` (if any) sit between groups of three."""
    if separator not in whole:
        return True
    parts = whole.lstrip("-").split(separator)
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


def _decimal(text: str) -> Decimal | None:
    if not text.lstrip("-").replace(".", "", 1).isdigit() or text.count("-") > 1:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _babel_locale(locale: str | None) -> str:
    code = (locale or "en").replace("-", "_").split("_")[0].lower()
    return BABEL_LOCALES.get(code, code)


# The region whose conventions each language uses for numbers and money.
BABEL_LOCALES = {"en": "en_US", "ru": "ru_RU", "uk": "uk_UA", "tr": "tr_TR"}
# One-character symbols people know, where CLDR gives some locales only the code
# (Russian CLDR writes "750,00 TRY"; the audience writes "750,00 ₺").
NARROW_SYMBOLS = {
    "TRY": "₺", "USD": "$", "EUR": "€", "GBP": "£", "GEL": "₾", "AMD": "֏",
    "UAH": "₴", "ILS": "₪", "RUB": "₽", "JPY": "¥", "KZT": "₸", "PLN": "zł",
}  # fmt: skip


def format_money(amount_minor: int, currency: str, locale: str = "en") -> str:
    """Format for people, through Babel, with the currency's own digits.

    English puts the symbol first ("$25.00", "₺750.00"); Russian, Ukrainian
    and Turkish after the amount ("750,00 ₺", "1 500,00 $").
    """
    currency = currency.upper()
    babel_locale = _babel_locale(locale)
    value = to_decimal(amount_minor, currency)
    symbol = get_currency_symbol(currency, babel_locale)
    narrow = NARROW_SYMBOLS.get(currency, symbol)
    if babel_locale.startswith("en"):
        text = format_currency(value, currency, locale=babel_locale)
    else:
        digits = get_currency_precision(currency)
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + "\u00a0¤"
        text = format_currency(value, currency, format=pattern, locale=babel_locale)
    return text.replace(symbol, narrow) if symbol != narrow else text
