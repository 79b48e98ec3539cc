"""Cash and bank transfers recorded by an organizer. Services only flush.

Many buyers of these concerts hold cards Stripe cannot charge, so money
handed over at the door must count in the totals like card payments: each
record appends a `manual` ledger entry. Tickets sold at the door are an
order too (orders/door.py), whose record this module keeps like any other.
A mistake is voided by a reversing entry, never deleted, so the ledger
always explains how a total came to be.
"""

from flask_babel import gettext
from sqlalchemy import select, update

from ticketing.database import utcnow
from ticketing.errors import Conflict, ValidationFailed
from ticketing.events.models import Event
from ticketing.extensions import db
from ticketing.payments import ledger
from ticketing.payments.models import MANUAL_METHODS, LedgerEntry, ManualPayment

# Keeps sums far inside a 32-bit INTEGER column (PostgreSQL) whatever is typed.
MAX_AMOUNT_MINOR = 1_000_000_000
MAX_DOOR_QUANTITY = 500


class AlreadyVoided(Conflict):
    code = "already_voided"


def check_amount(amount_minor: int) -> int:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise ValidationFailed(gettext("Amounts are whole minor units."), field="amount_minor")
    if not 0 < amount_minor <= MAX_AMOUNT_MINOR:
        raise ValidationFailed(gettext("The amount must be above zero."), field="amount_minor")
    return amount_minor


def check_method(method: str) -> str:
    if method not in MANUAL_METHODS:
        raise ValidationFailed(
            gettext("Method must be one of %(join)s.", join=", ".join(MANUAL_METHODS)),
            field="method",
        )
    return method


def record_donation(
    event: Event, *, amount_minor: int, method: str, note: str = "", recorded_by_id=None
) -> ManualPayment:
    """A cash or bank-transfer donation: counts in totals as `manual`."""
    payment = ManualPayment(
        event_id=event.id,
        kind="donation",
        method=check_method(method),
        amount_minor=check_amount(amount_minor),
        currency=event.currency,
        note=note,
        recorded_by_id=recorded_by_id,
    )
    db.session.add(payment)
    db.session.flush()
    record_entry(payment)
    return payment


def record_entry(payment: ManualPayment) -> LedgerEntry:
    return ledger.record(
        payment.event_id,
        "manual",
        payment.amount_minor,
        payment.currency,
        order_id=payment.order_id,
        manual_payment_id=payment.id,
        note=payment.note,
        created_by_id=payment.recorded_by_id,
    )


def void(payment: ManualPayment, *, reason: str = "", voided_by_id=None) -> ManualPayment:
    """Cancel a mistaken record by a reversing entry (a door sale's order is
    canceled by orders.door.void_door_sale, which calls this first).

    The conditional update decides a race: of two voids, exactly one wins and
    the other gets 409, so the money is never reversed twice.
    """
    now = utcnow()
    won = db.session.execute(
        update(ManualPayment)
        .where(ManualPayment.id == payment.id, ManualPayment.voided_at.is_(None))
        .values(voided_at=now, voided_by_id=voided_by_id, void_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        raise AlreadyVoided(gettext("This payment was already voided."))
    db.session.refresh(payment)
    original = db.session.execute(
        select(LedgerEntry).where(
            LedgerEntry.manual_payment_id == payment.id, LedgerEntry.reverses_id.is_(None)
        )
    ).scalar_one()
    note = f"void: {reason}" if reason else "void"
    ledger.reverse(original, note=note, created_by_id=voided_by_id)
    return payment


def manual_payments(event: Event) -> list[ManualPayment]:
    return list(
        db.session.execute(
            select(ManualPayment)
            .where(ManualPayment.event_id == event.id)
            .order_by(ManualPayment.created_at.desc(), ManualPayment.id.desc())
        ).scalars()
    )
