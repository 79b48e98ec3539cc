"""Creating and finding events and tiers. Services only flush."""

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import gettext
from sqlalchemy import func, select

from ticketing.accounts.services import EVENTS, slugify
from ticketing.database import MAX_ID
from ticketing.errors import Conflict, ValidationFailed
from ticketing.events.models import PAYMENT_METHODS, Event, TicketType
from ticketing.extensions import db
from ticketing.i18n import LANGUAGES
from ticketing.money import card_currency_problem, is_known_currency
from ticketing.search_text import slugify as text_slug

TIMEZONES = frozenset(available_timezones())


def check_timezone(name: str) -> str:
    if name not in TIMEZONES:
        raise ValidationFailed(
            gettext("Unknown time zone %(name)s; use an IANA name.", name=f"{name!r}"),
            field="timezone",
        )
    return name


def check_currency(code: str) -> str:
    if not is_known_currency(code):
        raise ValidationFailed(
            gettext("Unknown currency %(code)s; use ISO 4217.", code=f"{code!r}"), field="currency"
        )
    return code.upper()


def slug_taken(slug: str, event_id: int | None = None) -> bool:
    """Whether another event has this address (slugs are global: /events/<slug>)."""
    query = select(Event.id).where(Event.slug == slug)
    if event_id is not None:
        query = query.where(Event.id != event_id)
    return db.session.execute(query.limit(1)).first() is not None


def unique_slug(name: str) -> str:
    """The name transliterated ("Песни" -> pesni), with -2, -3... when taken."""
    base = slugify(name)
    slug, n = base, 1
    while slug_taken(slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


def chosen_slug(typed: str, event: Event | None = None) -> str:
    """An address the organizer typed, made a slug ("Песни весны" -> pesni-vesny);
    409 when another event has it, or once the event has orders (links to it
    are out: tickets, emails, shared posts)."""
    slug = text_slug(typed)
    if not slug:
        raise ValidationFailed("Use letters or digits for the address.", field="slug")
    if event is not None and slug == event.slug:
        return slug
    if event is not None and has_orders(event):
        raise Conflict(
            "The address cannot change once an order exists for this event: "
            "tickets and emails already link to it.",
            field="slug",
        )
    if slug_taken(slug, event.id if event is not None else None):
        raise Conflict(f"Another event already uses the address “{slug}”.", field="slug")
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


# --- Organizer management: listing, editing, validation -------------------

EVENT_FIELDS = frozenset(
    {"name", "description", "venue", "starts_at", "ends_at", "timezone", "currency"}
    | {"goal_minor", "beneficiary", "published", "slug", "translations", "default_locale"}
    | {"payment_methods", "transfer_instructions", "reservations_until", "unpaid_seats_cap"}
)
TIER_FIELDS = frozenset(
    {"name", "description", "price_minor", "capacity", "pay_what_you_want", "min_price_minor"}
    | {"max_per_order", "sales_start", "sales_end", "position", "translations"}
)


def events_of(organization_id: int) -> list[Event]:
    """Every event of an organization, published or draft, the next one first."""
    return list(
        db.session.execute(
            select(Event)
            .where(Event.organization_id == organization_id)
            .order_by(Event.starts_at.desc(), Event.id.desc())
        ).scalars()
    )


def organization_of(event_id: int) -> int | None:
    event = db.session.get(Event, event_id) if 0 < event_id <= MAX_ID else None
    return event.organization_id if event is not None else None


EVENTS.register(organization_of=organization_of, events_of=events_of)


def claimed_and_capacity(event_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per event: seats sold or held (the tiers' seat claims), and the sum of capacities."""
    result = {event_id: (0, 0) for event_id in event_ids}
    if not event_ids:
        return result
    rows = db.session.execute(
        select(
            TicketType.event_id,
            func.coalesce(func.sum(TicketType.seats_claimed), 0),
            func.coalesce(func.sum(TicketType.capacity), 0),
        )
        .where(TicketType.event_id.in_(event_ids))
        .group_by(TicketType.event_id)
    ).all()
    for event_id, claimed, capacity in rows:
        result[event_id] = (int(claimed), int(capacity))
    return result


# "Has anyone ordered for this event?" is for the orders domain to answer:
# it adds its check here when imported (events know nothing of orders).
ORDER_CHECKS: list[Callable[[int], bool]] = []


def has_orders(event: Event) -> bool:
    return any(check(event.id) for check in ORDER_CHECKS)


def check_event_fields(fields: dict, current: Event | None = None) -> dict:
    """Refuse what the database or the rules would refuse, naming the field
    (`current`: the event being changed, whose values fill the gaps)."""
    if "name" in fields and not (fields["name"] or "").strip():
        raise ValidationFailed(gettext("Give the event a name."), field="name")
    if "timezone" in fields:
        check_timezone(fields["timezone"])
    if "currency" in fields:
        fields["currency"] = check_currency(fields["currency"])
    if "default_locale" in fields and fields["default_locale"] not in LANGUAGES:
        raise ValidationFailed(
            gettext("Choose one of the languages: %(codes)s.", codes=", ".join(LANGUAGES)),
            field="default_locale",
        )
    goal = fields.get("goal_minor")
    if goal is not None and goal < 0:
        raise ValidationFailed(gettext("The goal cannot be negative."), field="goal_minor")
    for name in ("starts_at", "ends_at"):
        value = fields.get(name)
        if value is not None and value.tzinfo is None:
            raise ValidationFailed(gettext("Give a time with its UTC offset."), field=name)
    check_ways_to_pay(fields, current)
    return fields


def check_ways_to_pay(fields: dict, current: Event | None) -> None:
    """The ways to pay with the currency, the transfer instructions and the
    reservations' deadline, together (a PATCH may change any one of them)."""

    def value(name, default=None):
        return fields[name] if name in fields else getattr(current, name, default)

    methods = value("payment_methods") or ["card"]
    if "payment_methods" in fields:
        if len(set(methods)) != len(methods) or not set(methods) <= set(PAYMENT_METHODS):
            raise ValidationFailed(
                gettext("Choose each way to pay once: card, door or transfer."),
                field="payment_methods",
            )
        fields["payment_methods"] = [m for m in PAYMENT_METHODS if m in methods]
    problem = card_currency_problem(value("currency") or "") if "card" in methods else None
    if problem:
        raise ValidationFailed(
            gettext(
                "%(currency)s cannot be charged by card (Stripe does not take it). Choose "
                "another currency, or let buyers pay only at the door or by transfer.",
                currency=(value("currency") or "").upper(),
            ),
            field="currency" if "currency" in fields else "payment_methods",
        )
    if "transfer" in methods and not (value("transfer_instructions", "") or "").strip():
        raise ValidationFailed(
            gettext("Say how to pay by transfer (bank, account, what to write as reference)."),
            field="transfer_instructions",
        )
    until, starts = value("reservations_until"), value("starts_at")
    if until is not None and until.tzinfo is None:
        raise ValidationFailed(
            gettext("Give a time with its UTC offset."), field="reservations_until"
        )
    if until is not None and starts is not None and until > starts:
        raise ValidationFailed(
            gettext("Reservations must lapse by the time the event starts."),
            field="reservations_until",
        )


def create_managed_event(organization_id: int, **fields) -> Event:
    """An event created by an organizer (page or API), validated first."""
    fields = check_event_fields({k: v for k, v in fields.items() if k in EVENT_FIELDS})
    if fields.get("goal_minor") is None:
        fields.pop("goal_minor", None)
    if fields.get("slug"):
        fields["slug"] = chosen_slug(fields["slug"])
    return create_event(organization_id, **fields)


def update_event(event: Event, **changes) -> Event:
    """Change an event; its currency and address are fixed once anyone has ordered."""
    changes = check_event_fields({k: v for k, v in changes.items() if k in EVENT_FIELDS}, event)
    new_currency = changes.get("currency")
    if new_currency and new_currency != event.currency and has_orders(event):
        raise Conflict(
            gettext("The currency cannot change once an order exists for this event."),
            field="currency",
        )
    if changes.get("slug"):
        changes["slug"] = chosen_slug(changes["slug"], event)
    else:
        changes.pop("slug", None)  # left empty: the address stays
    for name, value in changes.items():
        setattr(event, name, value)
    db.session.flush()
    return event


def check_tier_fields(fields: dict, current: TicketType | None = None) -> dict:
    """Validate a tier's fields, alone and together (current values fill the gaps)."""

    def value(name):
        return fields[name] if name in fields else getattr(current, name, None)

    if "name" in fields and not (fields["name"] or "").strip():
        raise ValidationFailed(gettext("Give the tier a name."), field="name")
    for name in ("price_minor", "capacity", "min_price_minor"):
        if fields.get(name) is not None and fields[name] < 0:
            raise ValidationFailed(gettext("Must be zero or more."), field=name)
    if fields.get("max_per_order") is not None and fields["max_per_order"] < 1:
        raise ValidationFailed(gettext("Must be at least 1."), field="max_per_order")
    for name in ("sales_start", "sales_end"):
        if fields.get(name) is not None and fields[name].tzinfo is None:
            raise ValidationFailed(gettext("Give a time with its UTC offset."), field=name)
    start, end = value("sales_start"), value("sales_end")
    if start is not None and end is not None and end <= start:
        raise ValidationFailed(gettext("Sales must end after they start."), field="sales_end")
    if value("pay_what_you_want") and value("min_price_minor") is None:
        fields["min_price_minor"] = 0
    return fields


def create_ticket_type(event: Event, **fields) -> TicketType:
    fields = check_tier_fields({k: v for k, v in fields.items() if k in TIER_FIELDS})
    for name in ("max_per_order", "position", "description"):
        if fields.get(name) is None:
            fields.pop(name, None)
    return add_ticket_type(event, **fields)


def update_ticket_type(tier: TicketType, **changes) -> TicketType:
    """Change a tier. Orders keep the prices they were made at (their lines hold
    unit_price_minor); capacity never drops below the seats sold or held."""
    changes = check_tier_fields({k: v for k, v in changes.items() if k in TIER_FIELDS}, tier)
    if "capacity" in changes and changes["capacity"] < tier.capacity:
        # Lock the tier first (PostgreSQL), so a checkout cannot take the seat we count.
        taken = db.session.execute(
            select(TicketType.seats_claimed).where(TicketType.id == tier.id).with_for_update()
        ).scalar_one()
        if changes["capacity"] < taken:
            raise ValidationFailed(
                gettext(
                    "Capacity cannot be below the %(taken)s seats already sold or held.",
                    taken=taken,
                ),
                field="capacity",
            )
    for name, value in changes.items():
        setattr(tier, name, value)
    db.session.flush()
    return tier
