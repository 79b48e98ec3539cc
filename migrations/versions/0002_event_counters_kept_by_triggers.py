"""event counters kept by triggers

Totals, the dashboard's tier figures and its sales chart read running sums
from `event_counters` instead of counting a million rows. Triggers on
ledger_entries, tickets and checkins keep them in the same transaction as
every write, whoever makes it; existing rows are counted once here.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 01:59:23.138577

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


SHARDS = 16

# --- PostgreSQL: one function that adds to a (per-transaction) shard, one per table.
PG_FUNCTIONS = [
    f"""
CREATE FUNCTION bump_event_counter(p_event integer, p_name text, p_delta bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_delta = 0 OR p_name IS NULL THEN
        RETURN;
    END IF;
    -- One shard per transaction: no two rows of one transaction in a different
    -- order than another's (no deadlocks), and concurrent scans spread out.
    INSERT INTO event_counters (event_id, name, shard, value)
    VALUES (p_event, p_name, (txid_current() % {SHARDS})::integer, p_delta)
    ON CONFLICT (event_id, name, shard)
    DO UPDATE SET value = event_counters.value + EXCLUDED.value;
END $$""",
    """
CREATE FUNCTION count_ledger_entry() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign integer;
BEGIN
    FOR sign IN SELECT unnest(ARRAY[-1, 1]) LOOP
        IF (sign = -1 AND TG_OP IN ('UPDATE', 'DELETE')) THEN
            PERFORM bump_event_counter(OLD.event_id, 'ledger:' || OLD.currency || ':' || OLD.kind,
                                       -OLD.amount_minor);
            IF OLD.kind <> 'fee' THEN
                PERFORM bump_event_counter(OLD.event_id, 'raised:' || OLD.currency || ':'
                    || to_char(date_trunc('hour', OLD.created_at AT TIME ZONE 'UTC'),
                               'YYYY-MM-DD HH24:00:00'),
                    CASE WHEN OLD.kind = 'refund' THEN OLD.amount_minor ELSE -OLD.amount_minor END);
            END IF;
        ELSIF (sign = 1 AND TG_OP IN ('INSERT', 'UPDATE')) THEN
            PERFORM bump_event_counter(NEW.event_id, 'ledger:' || NEW.currency || ':' || NEW.kind,
                                       NEW.amount_minor);
            IF NEW.kind <> 'fee' THEN
                PERFORM bump_event_counter(NEW.event_id, 'raised:' || NEW.currency || ':'
                    || to_char(date_trunc('hour', NEW.created_at AT TIME ZONE 'UTC'),
                               'YYYY-MM-DD HH24:00:00'),
                    CASE WHEN NEW.kind = 'refund' THEN -NEW.amount_minor ELSE NEW.amount_minor END);
            END IF;
        END IF;
    END LOOP;
    RETURN NULL;
END $$""",
    """
CREATE FUNCTION count_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.event_id = NEW.event_id
       AND OLD.ticket_type_id = NEW.ticket_type_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'valid' THEN
        PERFORM bump_event_counter(OLD.event_id, 'tickets_sold', -1);
        PERFORM bump_event_counter(OLD.event_id, 'tickets_sold:tier:' || OLD.ticket_type_id, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'valid' THEN
        PERFORM bump_event_counter(NEW.event_id, 'tickets_sold', 1);
        PERFORM bump_event_counter(NEW.event_id, 'tickets_sold:tier:' || NEW.ticket_type_id, 1);
    END IF;
    RETURN NULL;
END $$""",
    """
CREATE FUNCTION count_checkin() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.undone_at IS NULL) = (NEW.undone_at IS NULL)
       AND OLD.event_id = NEW.event_id AND OLD.ticket_id = NEW.ticket_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.undone_at IS NULL THEN
        PERFORM bump_event_counter(OLD.event_id, 'checked_in', -1);
        PERFORM bump_event_counter(OLD.event_id, 'checked_in:tier:'
            || (SELECT ticket_type_id FROM tickets WHERE id = OLD.ticket_id), -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.undone_at IS NULL THEN
        PERFORM bump_event_counter(NEW.event_id, 'checked_in', 1);
        PERFORM bump_event_counter(NEW.event_id, 'checked_in:tier:'
            || (SELECT ticket_type_id FROM tickets WHERE id = NEW.ticket_id), 1);
    END IF;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER ledger_entries_count AFTER INSERT OR UPDATE OR DELETE ON ledger_entries
       FOR EACH ROW EXECUTE FUNCTION count_ledger_entry()""",
    """CREATE TRIGGER tickets_count AFTER INSERT OR UPDATE OR DELETE ON tickets
       FOR EACH ROW EXECUTE FUNCTION count_ticket()""",
    """CREATE TRIGGER checkins_count AFTER INSERT OR UPDATE OR DELETE ON checkins
       FOR EACH ROW EXECUTE FUNCTION count_checkin()""",
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS ledger_entries_count ON ledger_entries",
    "DROP TRIGGER IF EXISTS tickets_count ON tickets",
    "DROP TRIGGER IF EXISTS checkins_count ON checkins",
    "DROP FUNCTION IF EXISTS count_ledger_entry()",
    "DROP FUNCTION IF EXISTS count_ticket()",
    "DROP FUNCTION IF EXISTS count_checkin()",
    "DROP FUNCTION IF EXISTS bump_event_counter(integer, text, bigint)",
]

# --- SQLite: one writer at a time, so one shard (0); the upsert is inline.
BUMP = (
    "INSERT INTO event_counters (event_id, name, shard, value) VALUES ({event}, {name}, 0, {delta})"
    " ON CONFLICT (event_id, name, shard) DO UPDATE SET value = value + excluded.value;"
)
SQLITE_HOUR = "strftime('%Y-%m-%d %H:00:00', {row}.created_at)"


def _sqlite_ledger(row: str, sign: str) -> str:
    raised = f"CASE WHEN {row}.kind = 'refund' THEN -{row}.amount_minor ELSE {row}.amount_minor END"
    return (
        BUMP.format(event=f"{row}.event_id", name=f"'ledger:' || {row}.currency || ':' || {row}.kind",
                    delta=f"{sign}{row}.amount_minor")
        + BUMP.replace("VALUES (", "SELECT ").replace(", {delta})", ", {delta} WHERE {cond}").format(
            event=f"{row}.event_id",
            name=f"'raised:' || {row}.currency || ':' || " + SQLITE_HOUR.format(row=row),
            delta=f"{sign}({raised})", cond=f"{row}.kind <> 'fee'")
    )


def _sqlite_ticket(row: str, sign: str) -> str:
    return BUMP.format(event=f"{row}.event_id", name="'tickets_sold'", delta=f"{sign}1") + BUMP.format(
        event=f"{row}.event_id", name=f"'tickets_sold:tier:' || {row}.ticket_type_id", delta=f"{sign}1")


def _sqlite_checkin(row: str, sign: str) -> str:
    tier = f"(SELECT ticket_type_id FROM tickets WHERE id = {row}.ticket_id)"
    return BUMP.format(event=f"{row}.event_id", name="'checked_in'", delta=f"{sign}1") + BUMP.replace(
        "VALUES (", "SELECT ").replace(", {delta})", ", {delta} WHERE {cond}").format(
        event=f"{row}.event_id", name=f"'checked_in:tier:' || {tier}", delta=f"{sign}1",
        cond=f"{tier} IS NOT NULL")


SQLITE_TRIGGERS = {
    "ledger_entries_count_insert": ("AFTER INSERT ON ledger_entries", "1", _sqlite_ledger("NEW", "")),
    "ledger_entries_count_delete": ("AFTER DELETE ON ledger_entries", "1", _sqlite_ledger("OLD", "-")),
    "ledger_entries_count_update": (
        "AFTER UPDATE ON ledger_entries", "1", _sqlite_ledger("OLD", "-") + _sqlite_ledger("NEW", "")),
    "tickets_count_insert": ("AFTER INSERT ON tickets", "NEW.status = 'valid'", _sqlite_ticket("NEW", "")),
    "tickets_count_delete": ("AFTER DELETE ON tickets", "OLD.status = 'valid'", _sqlite_ticket("OLD", "-")),
    "tickets_count_update_old": (
        "AFTER UPDATE OF status, event_id, ticket_type_id ON tickets", "OLD.status = 'valid'",
        _sqlite_ticket("OLD", "-")),
    "tickets_count_update_new": (
        "AFTER UPDATE OF status, event_id, ticket_type_id ON tickets", "NEW.status = 'valid'",
        _sqlite_ticket("NEW", "")),
    "checkins_count_insert": ("AFTER INSERT ON checkins", "NEW.undone_at IS NULL", _sqlite_checkin("NEW", "")),
    "checkins_count_delete": ("AFTER DELETE ON checkins", "OLD.undone_at IS NULL", _sqlite_checkin("OLD", "-")),
    "checkins_count_update_old": (
        "AFTER UPDATE OF undone_at, event_id, ticket_id ON checkins", "OLD.undone_at IS NULL",
        _sqlite_checkin("OLD", "-")),
    "checkins_count_update_new": (
        "AFTER UPDATE OF undone_at, event_id, ticket_id ON checkins", "NEW.undone_at IS NULL",
        _sqlite_checkin("NEW", "")),
}

# --- Rows that exist already are counted once (both databases).
PG_HOUR = "to_char(date_trunc('hour', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24:00:00')"
BACKFILL = [
    """INSERT INTO event_counters (event_id, name, shard, value)
       SELECT event_id, 'tickets_sold', 0, count(*) FROM tickets WHERE status = 'valid'
       GROUP BY event_id""",
    """INSERT INTO event_counters (event_id, name, shard, value)
       SELECT event_id, 'tickets_sold:tier:' || ticket_type_id, 0, count(*) FROM tickets
       WHERE status = 'valid' GROUP BY event_id, ticket_type_id""",
    """INSERT INTO event_counters (event_id, name, shard, value)
       SELECT event_id, 'checked_in', 0, count(*) FROM checkins WHERE undone_at IS NULL
       GROUP BY event_id""",
    """INSERT INTO event_counters (event_id, name, shard, value)
       SELECT c.event_id, 'checked_in:tier:' || t.ticket_type_id, 0, count(*) FROM checkins c
       JOIN tickets t ON t.id = c.ticket_id WHERE c.undone_at IS NULL
       GROUP BY c.event_id, t.ticket_type_id""",
    """INSERT INTO event_counters (event_id, name, shard, value)
       SELECT event_id, 'ledger:' || currency || ':' || kind, 0, sum(amount_minor)
       FROM ledger_entries GROUP BY event_id, currency, kind""",
    """INSERT INTO event_counters (event_id, name, shard, value)
       SELECT event_id, 'raised:' || currency || ':' || {hour}, 0,
              sum(CASE WHEN kind = 'refund' THEN -amount_minor ELSE amount_minor END)
       FROM ledger_entries WHERE kind <> 'fee' GROUP BY event_id, currency, {hour}""",
]


def upgrade():
    op.create_table('event_counters',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('shard', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_counters_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'name', 'shard', name=op.f('pk_event_counters'))
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    hour = PG_HOUR if postgres else SQLITE_HOUR.format(row="ledger_entries")
    for statement in BACKFILL:
        op.execute(statement.format(hour=hour))
    if postgres:
        for statement in PG_FUNCTIONS:
            op.execute(statement)
    else:
        for name, (when, condition, body) in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} FOR EACH ROW WHEN {condition} BEGIN {body} END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_DROP:
            op.execute(statement)
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('event_counters')
