"""Check-ins (at most one standing per ticket) and the log of every scan."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ticketing.database import UTCDateTime, utcnow
from ticketing.extensions import db


class CheckIn(db.Model):
    """A ticket's entry. Undoing it keeps the row (undone_at) for the record."""

    __tablename__ = "checkins"
    __table_args__ = (
        # One standing check-in per ticket: the database decides a race.
        Index(
            "uq_checkins_ticket_id_standing",
            "ticket_id",
            unique=True,
            sqlite_where=text("undone_at IS NULL"),
            postgresql_where=text("undone_at IS NULL"),
        ),
        Index("ix_checkins_event_id_checked_in_at", "event_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    gate: Mapped[str] = mapped_column(String(100), default="")
    device: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    ticket = relationship("Ticket")


class ScanAttempt(db.Model):
    """Every scan, whatever its answer; a nonce replays the stored answer."""

    __tablename__ = "scan_attempts"
    __table_args__ = (
        # A nonce belongs to one device (token, or user logged in) and one
        # event: another device's or event's retry never gets this answer.
        Index(
            "uq_scan_attempts_organization_id_nonce_scope_nonce",
            "organization_id",
            "nonce_scope",
            "nonce",
            unique=True,
            sqlite_where=text("nonce IS NOT NULL"),
            postgresql_where=text("nonce IS NOT NULL"),
        ),
        Index("ix_scan_attempts_event_id_created_at", "event_id", "created_at"),
        Index("ix_scan_attempts_ticket_id", "ticket_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64), default="")
    result: Mapped[str] = mapped_column(String(30))
    gate: Mapped[str] = mapped_column(String(100), default="")
    device: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    nonce: Mapped[str | None] = mapped_column(String(100))
    # Who may replay the nonce: "t<token id>" or "u<user id>", then ":e<event id>".
    nonce_scope: Mapped[str] = mapped_column(String(60), default="", server_default="")
    # The answer given, so that a replayed nonce gets exactly the same one.
    response_status: Mapped[int] = mapped_column(default=200)
    response_json: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DoorList(db.Model):
    """An event's door list key: the salt its ticket codes are hashed with for
    offline scanners. Made once, on the first door list asked for; never changes."""

    __tablename__ = "door_lists"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DoorChange(db.Model):
    """One change of a ticket as the door sees it, written by triggers (migration 0013)
    on tickets, orders and checkins: the log door-list deltas read (see door_list.py)."""

    __tablename__ = "door_changes"
    __table_args__ = (
        Index("ix_door_changes_event_id_id", "event_id", "id"),
        Index("ix_door_changes_event_id_txid", "event_id", "txid"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    # PostgreSQL: the writing transaction's id (txid_current()), so a delta can
    # ask for exactly what the last list's snapshot could not see. SQLite: NULL.
    txid: Mapped[int | None] = mapped_column(BigInteger)


class CheckinConflict(db.Model):
    """A ticket let in twice by devices that were offline: which check-in was kept
    (the earliest scan) and the other admission, for the organizer's page."""

    __tablename__ = "checkin_conflicts"
    __table_args__ = (
        Index("ix_checkin_conflicts_event_id_created_at", "event_id", "created_at"),
        Index("ix_checkin_conflicts_nonce_scope_nonce", "nonce_scope", "nonce"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id", ondelete="SET NULL"))
    kept_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kept_gate: Mapped[str] = mapped_column(String(100), default="")
    kept_device: Mapped[str] = mapped_column(String(200), default="")
    kept_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kept_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    other_at: Mapped[datetime] = mapped_column(UTCDateTime)
    other_gate: Mapped[str] = mapped_column(String(100), default="")
    other_device: Mapped[str] = mapped_column(String(200), default="")
    other_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    other_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    # The batch scan that met the other admission: its answer says conflict: true.
    nonce_scope: Mapped[str] = mapped_column(String(60), default="")
    nonce: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
