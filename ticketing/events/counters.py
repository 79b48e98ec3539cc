"""Reading the running sums that database triggers keep per event (migration 0002).

Totals must stay fast at a million tickets, so they are not counted on each
request: every write of a ledger entry, a ticket or a check-in adjusts
`event_counters` in its own transaction (see EventCounter), and a reader adds
up a few rows. `recount` rebuilds an event's counters from the rows
themselves, for bulk loads that bypass triggers and as the yardstick in tests.
"""

from sqlalchemy import func, select, text

from ticketing.events.models import EventCounter
from ticketing.extensions import db

TICKETS_SOLD = "tickets_sold"
CHECKED_IN = "checked_in"


def ledger_name(currency: str, kind: str) -> str:
    return f"ledger:{currency}:{kind}"


def tier_name(counter: str, ticket_type_id: int) -> str:
    return f"{counter}:tier:{ticket_type_id}"


def raised_prefix(currency: str) -> str:
    return f"raised:{currency}:"


def values(event_id: int, names) -> dict[str, int]:
    """The named counters of an event, summed over their shards (absent ones are 0)."""
    names = list(names)
    rows = db.session.execute(
        select(EventCounter.name, func.sum(EventCounter.value))
        .where(EventCounter.event_id == event_id, EventCounter.name.in_(names))
        .group_by(EventCounter.name)
    ).all()
    found = dict.fromkeys(names, 0)
    found.update({name: int(total) for name, total in rows})
    return found


def with_prefix(event_id: int, prefix: str) -> dict[str, int]:
    """Counters whose name starts with `prefix`, summed, keyed by the rest of the name."""
    rows = db.session.execute(
        select(EventCounter.name, func.sum(EventCounter.value))
        .where(EventCounter.event_id == event_id, EventCounter.name.startswith(prefix))
        .group_by(EventCounter.name)
    ).all()
    return {name[len(prefix) :]: int(total) for name, total in rows}


def _hour_sql(dialect: str) -> str:
    if dialect == "postgresql":
        return "to_char(date_trunc('hour', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24:00:00')"
    return "strftime('%Y-%m-%d %H:00:00', created_at)"


RECOUNT = [
    """SELECT 'tickets_sold', count(*) FROM tickets WHERE event_id = :e AND status = 'valid'""",
    """SELECT 'tickets_sold:tier:' || ticket_type_id, count(*) FROM tickets
       WHERE event_id = :e AND status = 'valid' GROUP BY ticket_type_id""",
    """SELECT 'checked_in', count(*) FROM checkins WHERE event_id = :e AND undone_at IS NULL""",
    """SELECT 'checked_in:tier:' || t.ticket_type_id, count(*) FROM checkins c
       JOIN tickets t ON t.id = c.ticket_id WHERE c.event_id = :e AND c.undone_at IS NULL
       GROUP BY t.ticket_type_id""",
    """SELECT 'ledger:' || currency || ':' || kind, sum(amount_minor) FROM ledger_entries
       WHERE event_id = :e GROUP BY currency, kind""",
    """SELECT 'raised:' || currency || ':' || {hour},
              sum(CASE WHEN kind = 'refund' THEN -amount_minor ELSE amount_minor END)
       FROM ledger_entries WHERE event_id = :e AND kind <> 'fee' GROUP BY currency, {hour}""",
]


def recounted(connection, event_id: int) -> dict[str, int]:
    """Every counter of the event computed from scratch from the rows (slow; exact)."""
    hour = _hour_sql(connection.dialect.name)
    found = {}
    for sql in RECOUNT:
        for name, total in connection.execute(text(sql.format(hour=hour)), {"e": event_id}):
            if total:
                found[name] = int(total)
    return found


def stored(connection, event_id: int) -> dict[str, int]:
    """Every counter of the event as the triggers kept it (zeros left out)."""
    rows = connection.execute(
        text("SELECT name, sum(value) FROM event_counters WHERE event_id = :e GROUP BY name"),
        {"e": event_id},
    )
    return {name: int(total) for name, total in rows if total}


def recount(connection, event_id: int) -> None:
    """Replace the event's counters by a from-scratch count (after a bulk load)."""
    fresh = recounted(connection, event_id)
    connection.execute(text("DELETE FROM event_counters WHERE event_id = :e"), {"e": event_id})
    if fresh:
        connection.execute(
            text(
                "INSERT INTO event_counters (event_id, name, shard, value) VALUES (:e, :n, 0, :v)"
            ),
            [{"e": event_id, "n": name, "v": value} for name, value in fresh.items()],
        )
