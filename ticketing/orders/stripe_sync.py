"""Bringing an order in line with what Stripe says about its charge: refunds and disputes.

Webhooks, fulfilment and `reconcile-stripe` all call `sync_charge` with the
charge's refunds and disputes as re-read from Stripe, in any order and as
often as they like: each Stripe object moves our record forward only when
its status changed, so a replay changes nothing.

Tickets follow the money. Only a refund that succeeded counts: it writes the
ledger, adds to `refunded_minor` and, when it covers the order, revokes the
tickets. A `pending` refund is kept as a pending row and applied when it
succeeds; one that fails or is canceled is never applied, or is reversed if
it had succeeded first (ledger entry reversed, tickets valid again). A lost
dispute takes the money back like a refund (a refund row named after the
dispute), so the totals stay exact.
"""

import logging
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ticketing.extensions import db
from ticketing.orders import services as orders
from ticketing.orders import status as order_status
from ticketing.orders.models import Order
from ticketing.orders.refund_records import book_refund
from ticketing.payments import ledger
from ticketing.payments.models import LedgerEntry, Payment, Refund

log = logging.getLogger(__name__)

OPEN_DISPUTE = ("warning_needs_response", "warning_under_review", "needs_response", "under_review")
UNDONE = ("failed", "canceled")
REFUND_FAILED_TICKETS_BACK = (
    "A refund failed at Stripe: the buyer still paid, so the tickets are valid again."
)


@dataclass
class ChargeFacts:
    """A charge's state re-read from Stripe (never a webhook's payload)."""

    payment_intent_id: str | None
    refunds: list = field(default_factory=list)
    disputes: list = field(default_factory=list)
    session_id: str | None = None  # the Checkout Session that made the payment, if any


@dataclass
class SyncResult:
    refunded: list = field(default_factory=list)  # refunds that took money back now
    changed: int = 0  # how many of our records moved


class PaymentNotRecorded(Exception):
    """Stripe knows a payment of one of our orders that we have not recorded yet."""


def payment_of_intent(payment_intent_id: str | None) -> Payment | None:
    if not payment_intent_id:
        return None
    return db.session.execute(
        select(Payment).where(Payment.stripe_payment_intent_id == payment_intent_id)
    ).scalar_one_or_none()


def awaits_fulfilment(session_id: str | None) -> bool:
    """Is this the own session of an order that has not recorded its payment yet?"""
    if not session_id:
        return False
    return (
        db.session.execute(
            select(Order.id).where(Order.stripe_checkout_session_id == session_id)
        ).first()
        is not None
    )


def sync_charge(facts: ChargeFacts) -> SyncResult | None:
    """Apply the charge's refunds and disputes to its order. None: not a payment of ours.

    Raises PaymentNotRecorded when the charge is an order's own payment that
    fulfilment has not recorded yet: the caller must not count the event as
    handled (fulfilment will read the same refunds and disputes itself).
    """
    payment = payment_of_intent(facts.payment_intent_id)
    if payment is None:
        if awaits_fulfilment(facts.session_id):
            raise PaymentNotRecorded(facts.payment_intent_id)
        return None
    order = orders.lock_order(payment.order_id)
    db.session.refresh(payment)
    return apply_to_order(order, payment, facts.refunds, facts.disputes)


def apply_to_order(order: Order, payment: Payment, refunds, disputes) -> SyncResult:
    """The locked order takes in its charge's refunds (oldest first) and disputes."""
    result = SyncResult()
    for stripe_refund in sorted(refunds, key=lambda r: (r.created, r.id)):
        _sync_refund(order, payment, stripe_refund, result)
    for dispute in disputes:
        _sync_dispute(order, payment, dispute, result)
    db.session.flush()
    return result


# refunds ---------------------------------------------------------------------


def _pending_refund(
    order: Order, payment: Payment, stripe_id: str, amount_minor: int, reason: str, by=None
) -> Refund:
    """Our row for money Stripe is giving back (a refund, or a lost dispute), not yet counted."""
    refund = Refund(
        order_id=order.id,
        payment_id=payment.id,
        stripe_refund_id=stripe_id,
        amount_minor=amount_minor,
        currency=order.currency,
        status="pending",
        reason=reason,
        created_by_id=by,
    )
    db.session.add(refund)
    db.session.flush()
    return refund


def record_new_refund(
    order: Order, payment: Payment, stripe_refund, actor_user_id=None, reason: str = ""
) -> Refund:
    """A refund this app just asked Stripe for: recorded at the status Stripe gave it."""
    refund = _pending_refund(
        order, payment, stripe_refund.id, int(stripe_refund.amount), reason, actor_user_id
    )
    move_refund(order, refund, stripe_refund.status, SyncResult())
    return refund


def pending_minor(order: Order) -> int:
    """Money on its way back to the buyer (pending refunds): not refundable again."""
    return (
        db.session.execute(
            select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
                Refund.order_id == order.id, Refund.status == "pending"
            )
        ).scalar()
        or 0
    )


def _recorded(stripe_id: str) -> Refund | None:
    return db.session.execute(
        select(Refund).where(Refund.stripe_refund_id == stripe_id)
    ).scalar_one_or_none()


def _sync_refund(order: Order, payment: Payment, stripe_refund, result: SyncResult) -> None:
    """One Stripe refund: recorded if new, moved to its status; counted once if anything moved."""
    refund = _recorded(stripe_refund.id)
    created = refund is None
    if created:
        amount = min(int(stripe_refund.amount), order.total_minor)
        refund = _pending_refund(
            order, payment, stripe_refund.id, amount, _reason_of(stripe_refund)
        )
    if move_refund(order, refund, stripe_refund.status, result) or created:
        result.changed += 1


def _reason_of(stripe_refund) -> str:
    metadata = getattr(stripe_refund, "metadata", None)
    if metadata and getattr(metadata, "order_id", None):
        return ""
    return "Refunded in Stripe"


def move_refund(order: Order, refund: Refund, status: str, result: SyncResult) -> bool:
    """Move our refund row to Stripe's status, applying or undoing the money; True if it moved."""
    if status == refund.status or status not in ("succeeded", *UNDONE):
        return False  # the same, unknown, or back to pending (never, once settled)
    if status == "succeeded":
        _take_money_back(order, refund)
        result.refunded.append(refund)
    elif refund.status == "succeeded":
        _give_money_back(order, refund)
    refund.status = status
    return True


def _take_money_back(order: Order, refund: Refund) -> None:
    """A refund succeeded: ledger, refunded amount, status; tickets revoked when all is back."""
    amount = min(refund.amount_minor, order.total_minor - order.refunded_minor)
    if amount <= 0:
        return
    refund.amount_minor = amount
    book_refund(order, refund, amount)


def _give_money_back(order: Order, refund: Refund) -> None:
    """A refund that had succeeded failed after all: the money is the event's again."""
    entry = db.session.execute(
        select(LedgerEntry).where(
            LedgerEntry.refund_id == refund.id,
            LedgerEntry.kind == "refund",
            LedgerEntry.reverses_id.is_(None),
        )
    ).scalar_one_or_none()
    if entry is not None:
        ledger.record(
            entry.event_id,
            "refund",
            -entry.amount_minor,
            entry.currency,
            order_id=order.id,
            refund_id=refund.id,
            reverses_id=entry.id,
            note="Stripe reported the refund as failed",
        )
    restored = order_status.restore_after_failed_refund(
        order, entry.amount_minor if entry is not None else 0
    )
    if restored is False:
        _flag(order, "A refund failed after its seats were sold again: settle with the buyer.")
    elif restored:
        _flag(order, REFUND_FAILED_TICKETS_BACK)
    db.session.flush()


# disputes --------------------------------------------------------------------


def _sync_dispute(order: Order, payment: Payment, dispute, result: SyncResult) -> None:
    status = dispute.status
    if status in OPEN_DISPUTE and payment.status != "disputed" and not _lost(dispute.id):
        payment.status = "disputed"
        _flag(order, f"Dispute opened ({dispute.reason}): answer it in the Stripe dashboard.")
        result.changed += 1
    elif status == "lost" and not _lost(dispute.id):
        amount = min(int(dispute.amount), order.total_minor)
        refund = _pending_refund(
            order, payment, dispute.id, amount, "Dispute lost: the bank took the money back"
        )
        move_refund(order, refund, "succeeded", result)
        result.changed += 1
        payment.status = "disputed"
        _flag(order, "Dispute lost: the money went back to the buyer's bank.")
    elif status == "won" and payment.status == "disputed":
        payment.status = "succeeded"
        _flag(order, "Dispute won: the money stays.")
        result.changed += 1


def _lost(dispute_id: str) -> bool:
    return _recorded(dispute_id) is not None


def _flag(order: Order, reason: str) -> None:
    order.needs_attention = True
    order.attention_reason = (order.attention_reason + "\n" + reason).strip()
    log.warning("order %s needs attention: %s", order.id, reason)
