"""An event's totals, exactly as API.md names them, from the running counters.

The counters are kept by triggers on the ledger, the tickets and the
check-ins (see events/counters.py), so this is one indexed read of a few
rows however many tickets were sold.
"""

from ticketing.events import counters
from ticketing.events.models import Event

KIND_FIELDS = {
    "ticket_sale": "tickets_minor",
    "donation": "donations_minor",
    "manual": "manual_minor",
    "refund": "refunds_minor",
    "fee": "fees_minor",
}


def event_totals(event: Event) -> dict:
    ledger = {counters.ledger_name(event.currency, kind): f for kind, f in KIND_FIELDS.items()}
    found = counters.values(event.id, [*ledger, counters.TICKETS_SOLD, counters.CHECKED_IN])
    sums = {field: found[name] for name, field in ledger.items()}
    raised = (
        sums["tickets_minor"]
        + sums["donations_minor"]
        + sums["manual_minor"]
        - sums["refunds_minor"]
    )
    goal = event.goal_minor
    return {
        "currency": event.currency,
        "tickets_sold": found[counters.TICKETS_SOLD],
        "tickets_checked_in": found[counters.CHECKED_IN],
        **sums,
        "raised_minor": raised,
        "net_minor": raised - sums["fees_minor"],
        "goal_minor": goal,
        "goal_progress": goal_progress(raised, goal),
    }


def goal_progress(raised_minor: int, goal_minor: int | None) -> float | None:
    """raised / goal rounded DOWN to 4 decimals (API.md), in integers: a goal is
    never shown as reached before it is, as round() would at 99.996 %."""
    if not goal_minor:
        return None
    return (raised_minor * 10_000 // goal_minor) / 10_000
