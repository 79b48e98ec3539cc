"""Payments, refunds, cash and bank-transfer records, Stripe events seen, and
the append-only money ledger that every total is computed from."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ticketing.database import UTCDateTime, utcnow
from ticketing.extensions import db

PAYMENT_STATUSES = ("succeeded", "refunded", "partially_refunded", "disputed")
REFUND_STATUSES = ("pending", "succeeded", "failed", "canceled")
REFUND_REQUEST_STATUSES = ("requested", "succeeded", "failed")
# What an organizer records by hand (the manual-payments API and form).
RECORDED_KINDS = ("donation", "tickets")
# "reservation": money received toward a reserved order (cash at the door, a
# transfer), recorded only through orders/reservations.py.
MANUAL_KINDS = (*RECORDED_KINDS, "reservation")
MANUAL_METHODS = ("cash", "bank_transfer", "other")


class Payment(db.Model):
    """Money Stripe captured for an order (one per paid checkout session)."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_minor >= 0", name="amount_non_negative"),
        CheckConstraint("fee_minor >= 0", name="fee_non_negative"),
        CheckConstraint(f"status IN {PAYMENT_STATUSES}", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_charge_id: Mapped[str | None] = mapped_column(String(255), index=True)
    amount_minor: Mapped[int] = mapped_column()
    # In the payment's (the event's) currency, converted from Stripe's
    # settlement currency; fee_known is False while Stripe has no balance
    # transaction yet (charge.updated or the reconcile sweep fills it in).
    fee_minor: Mapped[int] = mapped_column(default=0)
    fee_known: Mapped[bool] = mapped_column(default=True, server_default=true())
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default="succeeded")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order = relationship("Order")


class Refund(db.Model):
    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(f"status IN {REFUND_STATUSES}", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    amount_minor: Mapped[int] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default="succeeded")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order = relationship("Order")


class RefundRequest(db.Model):
    """A refund asked of Stripe, written and committed before Stripe is called.

    `client_key` is the caller's Idempotency-Key (or the dashboard form's
    one-time key): the same key on the same order is the same refund.
    `stripe_key` is this request's own random idempotency key at Stripe, so
    a resend (retry, sweep, webhook redelivery) can never refund twice.
    """

    __tablename__ = "refund_requests"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(f"status IN {REFUND_REQUEST_STATUSES}", name="status_known"),
        UniqueConstraint("order_id", "client_key", name="uq_refund_requests_order_id_client_key"),
        Index("ix_refund_requests_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"))
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
    client_key: Mapped[str | None] = mapped_column(String(255))
    stripe_key: Mapped[str] = mapped_column(String(64), unique=True)
    # What was asked (None: "all that is left"), and the amount that meant.
    asked_minor: Mapped[int | None] = mapped_column()
    amount_minor: Mapped[int] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default="requested")
    reason: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255))
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    attempts: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ManualPayment(db.Model):
    """Cash or a bank transfer recorded by an organizer; voided, never deleted."""

    __tablename__ = "manual_payments"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(f"kind IN {MANUAL_KINDS}", name="kind_known"),
        CheckConstraint(f"method IN {MANUAL_METHODS}", name="method_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="RESTRICT"), index=True)
    # Tickets sold at the door get an order (so they count against capacity).
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    kind: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))
    amount_minor: Mapped[int] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The device link (an event-bound door token) that collected it, if any:
    # the cash box is counted per volunteer and per device.
    recorded_by_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    # A transfer's reference as the bank showed it.
    reference: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str] = mapped_column(Text, default="")

    recorded_by = relationship("User", foreign_keys=[recorded_by_id])


class CashBoxClosing(db.Model):
    """A volunteer's (or a door device's) cash counted at the end of the night.

    `expected_minor` is the cash the app recorded for that box when it was
    closed, `counted_minor` what the organizer counted; the difference is
    kept with them. Rows are never edited or deleted (the database refuses an
    UPDATE): a later re-count is a new row, and the latest one stands.
    """

    __tablename__ = "cash_box_closings"
    __table_args__ = (
        CheckConstraint("expected_minor >= 0", name="expected_non_negative"),
        CheckConstraint("counted_minor >= 0", name="counted_non_negative"),
        CheckConstraint(
            "difference_minor = counted_minor - expected_minor", name="difference_is_counted"
        ),
        CheckConstraint("user_id IS NOT NULL OR token_id IS NOT NULL", name="names_a_box"),
        Index("ix_cash_box_closings_event_id_closed_at", "event_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="RESTRICT"))
    # Whose box: the volunteer (a login) or the device link (token) that took the cash.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    currency: Mapped[str] = mapped_column(String(3))
    expected_minor: Mapped[int] = mapped_column()
    counted_minor: Mapped[int] = mapped_column()
    difference_minor: Mapped[int] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    closed_by = relationship("User", foreign_keys=[closed_by_id])


class StripeEvent(db.Model):
    """Every Stripe event received (verified), kept until a worker has applied it.

    The webhook records the verified body here and commits, then a task
    re-reads the event's object from Stripe and applies it (the outbox of
    received events): `status` is 'received' until then, 'applied' after
    (also when there was nothing to do: `outcome` says what happened), and
    'failed' once EVENT_MAX_ATTEMPTS tries are spent. `claimed_at` is a
    worker's lease, `due_at` the next try (backoff), `last_error` why the
    last one did not apply. The unique event id makes a redelivery a no-op.
    """

    __tablename__ = "stripe_events"
    __table_args__ = (
        Index("ix_stripe_events_received_at", "received_at"),
        Index("ix_stripe_events_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stripe_event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Rows from before the outbox were applied in the request that received them.
    status: Mapped[str] = mapped_column(String(20), default="received", server_default="applied")
    payload: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)


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
