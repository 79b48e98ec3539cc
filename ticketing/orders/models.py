"""Orders (a buyer's checkout, which is also the seat hold) and their lines."""

from datetime import datetime
from enum import StrEnum, nonmember

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ticketing.database import UTCDateTime, utcnow
from ticketing.extensions import db
from ticketing.search_text import KEY_LENGTH, search_key


class OrderStatus(StrEnum):
    """An order's status, stored as its string (the CHECK constraint lists them).

    The named groups below are the only definitions of what a status means
    elsewhere (seats, refunds, the door); they hold plain strings.
    """

    PENDING = "pending"
    PAID = "paid"
    EXPIRED = "expired"
    CANCELED = "canceled"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"
    # Paying without a card: seats held until `expires_at` (the reservation's
    # deadline) while the amount due is paid at the door or by transfer.
    RESERVED = "reserved"

    # Seats count as sold (a pending order counts only until expires_at).
    SOLD = nonmember(frozenset({PAID, PARTIALLY_REFUNDED}))
    # Money is in and some of it may still go back.
    REFUNDABLE = nonmember(frozenset({PAID, PARTIALLY_REFUNDED}))
    # The money came in once (a payment arriving again is no news).
    SETTLED = nonmember(frozenset({PAID, PARTIALLY_REFUNDED, REFUNDED}))
    # Lines count in the tier's `seats_claimed` (migration 0003's triggers).
    CLAIMING = nonmember(frozenset({PENDING, RESERVED, PAID, PARTIALLY_REFUNDED}))
    # Its tickets must not let anyone in: not paid (yet), or money went back.
    UNPAID = nonmember(frozenset({PENDING, RESERVED, EXPIRED}))
    # A hold that lapses at `expires_at` (a checkout, or an unpaid reservation).
    HOLDING = nonmember(frozenset({PENDING, RESERVED}))
    REVOKED = nonmember(frozenset({REFUNDED, CANCELED}))


def sql_list(values) -> str:
    """A fixed set of strings as a SQL list literal, sorted: `('a', 'b')`."""
    return "(" + ", ".join(f"'{value}'" for value in sorted(values)) + ")"


ORDER_STATUSES = tuple(status.value for status in OrderStatus)
ORDER_SOURCES = ("online", "door")
# How the buyer pays (API.md "Paying without a card"): `card` through Stripe,
# `door` in cash at the door, `transfer` by bank transfer.
PAYMENT_METHODS = ("card", "door", "transfer")
EMAIL_STATUSES = ("none", "pending", "sent", "failed")


def buyer_search_key(name: str | None, email: str | None) -> str:
    """What the door and the dashboard search an order by: its buyer's name and email."""
    return search_key(name, email)


def _default_search_key(context) -> str:
    """For an INSERT that leaves the key out (Core, compiled_sql): from its parameters."""
    params = context.get_current_parameters()
    return buyer_search_key(params.get("buyer_name"), params.get("buyer_email"))


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(f"status IN {ORDER_STATUSES}", name="status_known"),
        CheckConstraint(f"source IN {ORDER_SOURCES}", name="source_known"),
        CheckConstraint(f"email_status IN {EMAIL_STATUSES}", name="email_status_known"),
        CheckConstraint("tickets_minor >= 0", name="tickets_non_negative"),
        CheckConstraint("donation_minor >= 0", name="donation_non_negative"),
        CheckConstraint("total_minor >= 0", name="total_non_negative"),
        CheckConstraint("refunded_minor >= 0", name="refunded_non_negative"),
        CheckConstraint("refunded_minor <= total_minor", name="refund_within_total"),
        CheckConstraint(f"payment_method IN {PAYMENT_METHODS}", name="payment_method_known"),
        CheckConstraint("paid_minor >= 0", name="paid_non_negative"),
        # Holds by expiry: what expire-holds and availability scan.
        Index("ix_orders_status_expires_at", "status", "expires_at"),
        Index("ix_orders_event_id_created_at", "event_id", "created_at"),
        # Emails due: what the sweep scans.
        Index("ix_orders_email_status_email_due_at", "email_status", "email_due_at"),
        # A reservation is found by its reference; no two share one.
        Index("uq_orders_payment_reference", "payment_reference", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="RESTRICT"))
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_email: Mapped[str] = mapped_column(String(254), index=True)
    # The buyer's name and email folded for search (ticketing/search_text.py):
    # set whenever they are written; NOT NULL, so a write that forgets it fails.
    search_key: Mapped[str] = mapped_column(String(KEY_LENGTH), default=_default_search_key)
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.PENDING.value)
    source: Mapped[str] = mapped_column(String(10), default="online")
    currency: Mapped[str] = mapped_column(String(3))
    tickets_minor: Mapped[int] = mapped_column(default=0)
    donation_minor: Mapped[int] = mapped_column(default=0)
    total_minor: Mapped[int] = mapped_column(default=0)
    refunded_minor: Mapped[int] = mapped_column(default=0)
    payment_method: Mapped[str] = mapped_column(String(10), default="card", server_default="card")
    # A reservation's reference, to find it by (bank transfer subject, door).
    payment_reference: Mapped[str | None] = mapped_column(String(20))
    # What a reservation has received so far (cash, transfers): it is paid
    # once this covers total_minor.
    paid_minor: Mapped[int] = mapped_column(default=0, server_default="0")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    access_token_hash: Mapped[str] = mapped_column(String(64))
    stripe_checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # The Checkout Session's idempotency key at Stripe: random per order, so
    # another install, a reset database or CI on the same account never collides.
    checkout_key: Mapped[str | None] = mapped_column(String(64))
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), index=True)
    # Set when a person must look at the order (late payment refunded, dispute...).
    needs_attention: Mapped[bool] = mapped_column(default=False)
    attention_reason: Mapped[str] = mapped_column(Text, default="")
    email_status: Mapped[str] = mapped_column(String(10), default="none")
    email_attempts: Mapped[int] = mapped_column(default=0)
    email_error: Mapped[str] = mapped_column(Text, default="")
    # The buyer's language: the ticket email and reminders are written in it.
    locale: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    # The outbox (ticketing/delivery/outbox.py): when the next attempt is due
    # (NULL: now), and when a worker claimed the send (its lease).
    email_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The "your tickets tomorrow" reminder: claimed (lease), then sent once.
    reminder_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event = relationship("Event")
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    tickets = relationship("Ticket", back_populates="order", order_by="Ticket.id")

    @validates("buyer_name", "buyer_email")
    def _keep_search_key(self, name: str, value: str) -> str:
        parts = {"buyer_name": self.buyer_name, "buyer_email": self.buyer_email, name: value}
        self.search_key = buyer_search_key(parts["buyer_name"], parts["buyer_email"])
        return value

    @property
    def amount_due_minor(self) -> int:
        """What an open reservation still owes (0 for anything else)."""
        if self.status != OrderStatus.RESERVED:
            return 0
        return max(self.total_minor - self.paid_minor, 0)

    @property
    def current_status(self) -> str:
        """The status as of now, for reading: a hold (or reservation) whose time passed is expired
        even before the expire-holds sweep or the next claim on its tiers marks it
        (a read never writes)."""
        lapsed = self.expires_at is not None and self.expires_at <= utcnow()
        return (
            OrderStatus.EXPIRED.value
            if self.status in OrderStatus.HOLDING and lapsed
            else self.status
        )


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_minor >= 0", name="unit_price_non_negative"),
        Index("ix_order_lines_ticket_type_id_order_id", "ticket_type_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id", ondelete="RESTRICT"))
    quantity: Mapped[int] = mapped_column()
    unit_price_minor: Mapped[int] = mapped_column()

    order: Mapped[Order] = relationship(back_populates="lines")
    ticket_type = relationship("TicketType")
