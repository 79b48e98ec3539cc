"""Creating and finding events and tiers. Services only flush."""

from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import select

from ticketing.accounts.services import slugify
from ticketing.errors import ValidationFailed
from ticketing.events.models import Event, TicketType
from ticketing.extensions import db
from ticketing.money import is_known_currency

TIMEZONES = frozenset(available_timezones())


def check_timezone(name: str) -> str:
    if name not in TIMEZONES:
        raise ValidationFailed(f"Unknown time zone {name!r}; use an IANA name.", field="timezone")
    return name


def check_currency(code: str) -> str:
    if not is_known_currency(code):
        raise ValidationFailed(f"Unknown currency {code!r}; use ISO 4217.", field="currency")
    return code.upper()


def unique_slug(name: str) -> str:
    base = slugify(name)
    slug, n = base, 1
    while db.session.execute(select(Event.id).where(Event.slug == slug)).first():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_event(
    organization_id: int, *, name: str, starts_at: datetime, timezone: str, currency: str, **fields
) -> Event:
    if starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=ZoneInfo(check_timezone(timezone)))
    event = Event(
        organization_id=organization_id,
        name=name,
        slug=fields.pop("slug", None) or unique_slug(name),
        starts_at=starts_at,
        timezone=check_timezone(timezone),
        currency=check_currency(currency),
        **fields,
    )
    db.session.add(event)
    db.session.flush()
    return event


def add_ticket_type(event: Event, **fields) -> TicketType:
    tier = TicketType(event=event, **fields)
    if tier.pay_what_you_want and tier.min_price_minor is None:
        tier.min_price_minor = 0
    db.session.add(tier)
    db.session.flush()
    return tier


def published_events() -> list[Event]:
    return list(
        db.session.execute(
            select(Event).where(Event.published.is_(True)).order_by(Event.starts_at)
        ).scalars()
    )


def event_by_slug(slug: str) -> Event | None:
    return db.session.execute(select(Event).where(Event.slug == slug)).scalar_one_or_none()
