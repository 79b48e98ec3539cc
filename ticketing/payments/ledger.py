"""Writing the append-only ledger. Entries are never updated or deleted."""

from ticketing.extensions import db
from ticketing.payments.models import LedgerEntry


def record(event_id: int, kind: str, amount_minor: int, currency: str, **refs) -> LedgerEntry:
    """Append one entry; `refs` are order_id, payment_id, refund_id, note, ..."""
    entry = LedgerEntry(
        event_id=event_id, kind=kind, amount_minor=amount_minor, currency=currency, **refs
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def reverse(entry: LedgerEntry, note: str = "", created_by_id: int | None = None) -> LedgerEntry:
    """Cancel an entry by appending its opposite (a mistake is never deleted)."""
    return record(
        entry.event_id,
        entry.kind,
        -entry.amount_minor,
        entry.currency,
        order_id=entry.order_id,
        manual_payment_id=entry.manual_payment_id,
        reverses_id=entry.id,
        note=note,
        created_by_id=created_by_id,
    )
