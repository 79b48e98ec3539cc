"""Tickets: one per seat sold, each with its unguessable code."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ticketing.database import UTCDateTime, utcnow
from ticketing.extensions import db
from ticketing.search_text import KEY_LENGTH, search_key


class TicketStatus(StrEnum):
    """A ticket's status, stored as its string (the CHECK constraint lists them)."""

    VALID = "valid"
    REVOKED = "revoked"
    # A reservation's ticket: shown and scanned, but in only once the amount
    # due is paid (then valid). Counted as sold only when valid.
    UNPAID = "unpaid"


TICKET_STATUSES = tuple(status.value for status in TicketStatus)


def _default_search_key(context) -> str:
    """For an INSERT that leaves the key out (Core): from its holder's name."""
    return search_key(context.get_current_parameters().get("holder_name"))


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(f"status IN {TICKET_STATUSES}", name="status_known"),
        CheckConstraint("length(code) = 26", name="code_length"),
        Index("ix_tickets_event_id_status", "event_id", "status"),
        # The door's name search: an event's tickets in folded-name order.
        Index("ix_tickets_event_id_search_key", "event_id", "search_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: the door finds a ticket by its code, and no two may share one.
    code: Mapped[str] = mapped_column(String(26), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("order_lines.id", ondelete="SET NULL")
    )
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id", ondelete="RESTRICT"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="RESTRICT"))
    holder_name: Mapped[str] = mapped_column(String(200), default="")
    # The holder's name folded for search (ticketing/search_text.py), set
    # whenever the name is written; NOT NULL, so a write that forgets it fails.
    search_key: Mapped[str] = mapped_column(String(KEY_LENGTH), default=_default_search_key)
    status: Mapped[str] = mapped_column(String(10), default="valid")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a ticket is reissued the old one is revoked and points to the new one.
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))

    order = relationship("Order", back_populates="tickets")
    ticket_type = relationship("TicketType")
    event = relationship("Event")

    @validates("holder_name")
    def _keep_search_key(self, _name: str, value: str) -> str:
        self.search_key = search_key(value)
        return value
