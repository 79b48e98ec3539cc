"""Jinja filters and globals: money through Babel, times in the event's zone,
event texts in the reader's language."""

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app

from ticketing.money import format_money, to_decimal


def money(amount_minor: int | None, currency: str) -> str:
    return format_money(amount_minor or 0, currency)


def major(amount_minor: int | None, currency: str) -> str:
    """The amount as a person types it ("15.00", "1500" for JPY), for form inputs."""
    return str(to_decimal(amount_minor or 0, currency))


def local_time(value: datetime | None, timezone: str, pattern: str = "EEE d MMM y, HH:mm") -> str:
    """Show an aware UTC time in the event's time zone, with the zone's name."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(timezone))
    return f"{format_datetime(local, pattern, locale='en')} ({local.tzname()})"


def babel_locale() -> str:
    """The page's language as Flask-Babel chose it; "en" without Flask-Babel."""
    try:
        from flask_babel import get_locale
    except ImportError:
        return "en"
    if "babel" not in current_app.extensions:
        return "en"
    return str(get_locale() or "en")


# THE one place pages learn their reader's language (a code like "ru" or
# "ru_RU"); event texts are picked with it. The i18n work may point it at its
# own locale function; tests set it to choose a language.
page_locale: Callable[[], str] = babel_locale


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

    @app.context_processor
    def inject_globals():
        return {"payments_simulated": payments_simulated(app)}
