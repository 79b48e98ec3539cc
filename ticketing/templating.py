"""Jinja filters and globals: money through Babel, times in the event's zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal

from ticketing.i18n import current_locale
from ticketing.money import format_money, to_decimal

DEFAULT_PATTERN = "EEE d MMM y, HH:mm"
# An event's date and time as each language writes it ("26 декабря 2026 г., 19:30").
FULL_PATTERNS = {
    "en": DEFAULT_PATTERN,
    "ru": "d MMMM y 'г.', HH:mm",
    "uk": "d MMMM y 'р.', HH:mm",
    "tr": "d MMMM y EEEE, HH:mm",
}


def money(amount_minor: int | None, currency: str) -> str:
    return format_money(amount_minor or 0, currency, current_locale())


def major(amount_minor: int | None, currency: str) -> str:
    """The amount as a person types it ("15.00", "1500" for JPY), for form inputs."""
    return str(to_decimal(amount_minor or 0, currency))


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


def payments_simulated(app) -> bool:
    """True when the offline Stripe stand-in takes the payments."""
    return not app.config.get("STRIPE_SECRET_KEY")


def init_app(app) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["major"] = major
    app.jinja_env.filters["number"] = number

    @app.context_processor
    def inject_globals():
        return {"payments_simulated": payments_simulated(app)}
