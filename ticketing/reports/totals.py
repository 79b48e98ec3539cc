"""An event's totals, from the ledger and the tickets, exactly as API.md names them."""

from sqlalchemy import func, select

from ticketing.checkin.models import CheckIn
from ticketing.events.models import Event
from ticketing.extensions import db
from ticketing.reports.models import LedgerEntry
from ticketing.tickets.models import Ticket

KIND_FIELDS = {
    "ticket_sale": "tickets_minor",
    "donation": "donations_minor",
    "manual": "manual_minor",
    "refund": "refunds_minor",
    "fee": "fees_minor",
}


def ledger_sums(event_id: int, currency: str) -> dict[str, int]:
    rows = db.session.execute(
        select(LedgerEntry.kind, func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .where(LedgerEntry.event_id == event_id, LedgerEntry.currency == currency)
        .group_by(LedgerEntry.kind)
    ).all()
    sums = dict.fromkeys(KIND_FIELDS.values(), 0)
    sums.update({KIND_FIELDS[kind]: int(total) for kind, total in rows})
    return sums


def event_totals(event: Event) -> dict:
    sums = ledger_sums(event.id, event.currency)
    raised = (
        sums["tickets_minor"]
        + sums["donations_minor"]
        + sums["manual_minor"]
        - sums["refunds_minor"]
    )
    sold = db.session.execute(
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.event_id == event.id, Ticket.status == "valid")
    ).scalar_one()
    checked_in = db.session.execute(
        select(func.count())
        .select_from(CheckIn)
        .where(CheckIn.event_id == event.id, CheckIn.undone_at.is_(None))
    ).scalar_one()
    goal = event.goal_minor
    return {
        "currency": event.currency,
        "tickets_sold": sold,
        "tickets_checked_in": checked_in,
        **sums,
        "raised_minor": raised,
        "net_minor": raised - sums["fees_minor"],
        "goal_minor": goal,
        "goal_progress": round(raised / goal, 4) if goal else None,
    }
