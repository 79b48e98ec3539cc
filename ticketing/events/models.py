"""Events, their ticket types (tiers), and their running counters."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ticketing.database import UTCDateTime, utcnow
from ticketing.extensions import db

# Languages an event's texts may be given in besides its main text (API.md, Languages).
EVENT_TEXTS = ("name", "description", "venue", "beneficiary")
TIER_TEXTS = ("name",)
# Ways to pay an event may offer (API.md "Paying without a card").
PAYMENT_METHODS = ("card", "door", "transfer")


def language_of(locale) -> str:
    """ "ru", "ru_RU", "ru-RU" or a babel Locale -> "ru"."""
    return str(locale or "").replace("-", "_").split("_")[0].lower()


def translated(row, texts: tuple[str, ...], field: str, locale) -> str:
    """The row's `field` in the locale's language, else its main text."""
    if field not in texts:
        raise ValueError(f"{field!r} is not a translatable text of {type(row).__name__}")
    given = (row.translations or {}).get(language_of(locale)) or {}
    return given.get(field) or getattr(row, field)


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("goal_minor IS NULL OR goal_minor >= 0", name="goal_non_negative"),
        CheckConstraint("length(currency) = 3", name="currency_iso"),
        Index("ix_events_published_starts_at", "published", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    goal_minor: Mapped[int | None] = mapped_column()
    beneficiary: Mapped[str] = mapped_column(String(300), default="")
    published: Mapped[bool] = mapped_column(default=False)
    # The page's language when neither ?lang nor the browser chooses one.
    default_locale: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # {"ru": {"name": ..., "description"?: ..., "venue"?: ..., "beneficiary"?: ...}, ...}
    # (migration 0008). Replaced whole, never changed in place.
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    # Paying without a card (migration 0011): the allowed ways, a subset of
    # PAYMENT_METHODS in that order; how to pay by transfer; when unpaid
    # reservations lapse (NULL: the event's start); and how many seats unpaid
    # reservations may hold at once (NULL: no cap), so no-shows cannot empty a
    # sold-out hall.
    payment_methods: Mapped[list] = mapped_column(
        JSON, default=lambda: ["card"], server_default=text("'[\"card\"]'")
    )
    transfer_instructions: Mapped[str] = mapped_column(Text, default="", server_default="")
    reservations_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unpaid_seats_cap: Mapped[int | None] = mapped_column()

    organization = relationship("Organization")
    ticket_types: Mapped[list["TicketType"]] = relationship(
        back_populates="event", order_by="TicketType.position, TicketType.id"
    )

    def text(self, field: str, locale) -> str:
        """Name, description, venue or beneficiary (the cause) for a reader of
        `locale` ("ru", "uk_UA"): its translation, else the main text."""
        return translated(self, EVENT_TEXTS, field, locale)

    @property
    def reservation_deadline(self) -> datetime:
        """When unpaid reservations lapse: the organizer's choice, else doors open."""
        return self.reservations_until or self.starts_at


class TicketType(db.Model):
    __tablename__ = "ticket_types"
    __table_args__ = (
        CheckConstraint("price_minor >= 0", name="price_non_negative"),
        CheckConstraint("capacity >= 0", name="capacity_non_negative"),
        CheckConstraint(
            "min_price_minor IS NULL OR min_price_minor >= 0", name="min_price_non_negative"
        ),
        CheckConstraint("max_per_order >= 1", name="max_per_order_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # For pay-what-you-want tiers this is the suggested amount.
    price_minor: Mapped[int] = mapped_column()
    capacity: Mapped[int] = mapped_column()
    # Seats in pending, paid and partially refunded orders, kept by database
    # triggers that refuse to let it pass capacity (migration 0003). Lapsed
    # holds count until marked expired. Never written by the app.
    seats_claimed: Mapped[int] = mapped_column(default=0, server_default="0")
    pay_what_you_want: Mapped[bool] = mapped_column(default=False)
    min_price_minor: Mapped[int | None] = mapped_column()
    max_per_order: Mapped[int] = mapped_column(default=10)
    sales_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sales_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # {"ru": {"name": ...}, ...} (migration 0008). Replaced whole, never changed in place.
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))

    event: Mapped[Event] = relationship(back_populates="ticket_types")

    def text(self, field: str, locale) -> str:
        return translated(self, TIER_TEXTS, field, locale)

    def display_name(self, locale) -> str:
        """The tier's name for a reader of `locale`, else its main name."""
        return self.text("name", locale)

    @property
    def seats_left(self) -> int:
        """The one definition of seats left (page, API, claim, door sale): what
        the seat claim would still let through. Read it fresh after writes."""
        return max(self.capacity - self.seats_claimed, 0)


class EventCounter(db.Model):
    """Running sums per event, kept by database triggers (migration 0002).

    Every insert, update or delete of a ledger entry, a ticket or a check-in
    adjusts these rows in the same transaction, so an event's totals are a
    sum over a handful of rows instead of a scan of a million. Names:
    `tickets_sold`, `tickets_sold:tier:<id>`, `checked_in`,
    `checked_in:tier:<id>`, `ledger:<currency>:<kind>` and
    `raised:<currency>:<YYYY-MM-DD HH:00:00>` (the sales chart, by UTC hour).
    On PostgreSQL each name is spread over 16 `shard` rows picked per
    transaction, so sixteen scanners at the door do not queue on one row;
    readers add the shards up. `ticketing.events.counters.recount` rebuilds
    them from scratch.
    """

    __tablename__ = "event_counters"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    shard: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
