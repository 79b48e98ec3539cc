"""The append-only money ledger that every total is computed from."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ticketing.database import UTCDateTime, utcnow
from ticketing.extensions import db

# ticket_sale, donation and manual add to "raised"; refund subtracts; fee is
# subtracted from raised to give net. A correction is a new entry of the same
# kind with the opposite sign that names the entry it reverses.
LEDGER_KINDS = ("ticket_sale", "donation", "manual", "refund", "fee")


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(f"kind IN {LEDGER_KINDS}", name="kind_known"),
        CheckConstraint("amount_minor <> 0", name="amount_non_zero"),
        CheckConstraint(
            "amount_minor > 0 OR reverses_id IS NOT NULL", name="negative_only_as_reversal"
        ),
        Index("ix_ledger_entries_event_id_currency_kind", "event_id", "currency", "kind"),
        Index("ix_ledger_entries_order_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="RESTRICT"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    manual_payment_id: Mapped[int | None] = mapped_column(ForeignKey("manual_payments.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    kind: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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
