"""Jinja filters and globals: money through Babel, times in the event's zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

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


def payments_simulated(app) -> bool:
    """True when the offline Stripe stand-in takes the payments."""
    return not app.config.get("STRIPE_SECRET_KEY")


def init_app(app) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["major"] = major

    @app.context_processor
    def inject_globals():
        return {"payments_simulated": payments_simulated(app)}
