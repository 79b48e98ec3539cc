"""Jinja filters and globals: money through Babel, times in the event's zone,
event texts in the reader's language."""

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal, get_currency_symbol
from flask_babel import lazy_gettext

from ticketing.i18n import current_locale
from ticketing.money import BABEL_LOCALES, NARROW_SYMBOLS, format_money, to_decimal

DEFAULT_PATTERN = "EEE d MMM y, HH:mm"
# An event's date and time as each language writes it ("26 декабря 2026 г., 19:30").
FULL_PATTERNS = {
    "en": DEFAULT_PATTERN,
    "ru": "d MMMM y 'г.', HH:mm",
    "uk": "d MMMM y 'р.', HH:mm",
    "tr": "d MMMM y EEEE, HH:mm",
}


# The stored words (statuses, kinds, methods) as people read them; the
# English text is the word with spaces, as the pages always showed it.
WORDS = {
    "pending": lazy_gettext("pending"),
    "paid": lazy_gettext("paid"),
    "expired": lazy_gettext("expired"),
    "canceled": lazy_gettext("canceled"),
    "refunded": lazy_gettext("refunded"),
    "partially_refunded": lazy_gettext("partially refunded"),
    "valid": lazy_gettext("valid"),
    "revoked": lazy_gettext("revoked"),
    "none": lazy_gettext("none"),
    "sent": lazy_gettext("sent"),
    "failed": lazy_gettext("failed"),
    "succeeded": lazy_gettext("succeeded"),
    "disputed": lazy_gettext("disputed"),
    "donation": lazy_gettext("donation"),
    "tickets": lazy_gettext("tickets"),
    "ticket_sale": lazy_gettext("ticket sale"),
    "manual": lazy_gettext("manual"),
    "refund": lazy_gettext("refund"),
    "fee": lazy_gettext("fee"),
    "cash": lazy_gettext("cash"),
    "bank_transfer": lazy_gettext("bank transfer"),
    "other": lazy_gettext("other"),
    # Paying without a card: a reservation's status, its tickets', how it pays.
    "reserved": lazy_gettext("reserved"),
    "unpaid": lazy_gettext("unpaid"),
    "reservation": lazy_gettext("reservation"),
    "door": lazy_gettext("at the door"),
    "transfer": lazy_gettext("bank transfer"),
    "hour": lazy_gettext("hour"),
    "day": lazy_gettext("day"),
}


def word(value: str | None) -> str:
    """A stored status or kind in the reader's language ("partially_refunded" ->
    "partially refunded", "частично возвращён")."""
    value = value or ""
    return str(WORDS[value]) if value in WORDS else value.replace("_", " ")


def money(amount_minor: int | None, currency: str) -> str:
    return format_money(amount_minor or 0, currency, current_locale())


def major(amount_minor: int | None, currency: str) -> str:
    """The amount as a person types it ("15.00", "1500" for JPY), for form inputs."""
    return str(to_decimal(amount_minor or 0, currency))


def currency_symbol(currency: str) -> str:
    """The symbol money() writes for the currency in the reader's language."""
    code = currency.upper()
    locale = BABEL_LOCALES.get(current_locale(), current_locale())
    return NARROW_SYMBOLS.get(code) or get_currency_symbol(code, locale)


def local_time(value: datetime | None, timezone: str, pattern: str = DEFAULT_PATTERN) -> str:
    """Show an aware UTC time in the event's time zone and the reader's language,
    with the zone's name."""
    if value is None:
        return ""
    locale = current_locale()
    if pattern == DEFAULT_PATTERN:
        pattern = FULL_PATTERNS.get(locale, DEFAULT_PATTERN)
    local = value.astimezone(ZoneInfo(timezone))
    return f"{format_datetime(local, pattern, locale=locale)} ({local.tzname()})"


def number(value) -> str:
    """A count or number as the reader's language writes it ("1 500")."""
    return format_decimal(value or 0, locale=current_locale())


# THE one place pages learn their reader's language for event texts
# (ticketing.i18n chooses it); tests set it to choose a language.
page_locale: Callable[[], str] = current_locale


def translated(row, field: str = "name") -> str:
    """`{{ event | translated("venue") }}`, `{{ tier | translated }}`: the row's
    text in the page's language, else its main text (Event.text, TicketType.text)."""
    return row.text(field, page_locale())


def payments_simulated(app) -> bool:
    """True when the offline Stripe stand-in takes the payments."""
    return not app.config.get("STRIPE_SECRET_KEY")


def init_app(app) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["major"] = major
    app.jinja_env.filters["translated"] = translated
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["word"] = word
    app.jinja_env.filters["currency_symbol"] = currency_symbol

    @app.context_processor
    def inject_globals():
        return {"payments_simulated": payments_simulated(app)}
