"""seats claimed per tier, kept by triggers, never past capacity

`ticket_types.seats_claimed` counts the seats in orders that are pending
(a live hold, or a lapsed one not yet marked expired), paid or partially
refunded. Triggers on order_lines and orders keep it in the same
transaction as every write, and refuse any increase that would pass the
tier's capacity (error text `seats_claimed_over_capacity`). So a checkout
no longer locks the tier and sums its orders: inserting the order's lines
is the seat claim, decided by PostgreSQL's row lock on the tier for the
few microseconds until commit (SQLite: its single writer).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 05:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

CLAIMING = "('pending', 'paid', 'partially_refunded')"
OVER = "seats_claimed_over_capacity"

PG_FUNCTIONS = [
    f"""
CREATE FUNCTION claims_within_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seats_claimed > OLD.seats_claimed AND NEW.seats_claimed > NEW.capacity THEN
        RAISE EXCEPTION '{OVER}: ticket type %', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$""",
    """
CREATE TRIGGER ticket_types_claims_within_capacity BEFORE UPDATE OF seats_claimed
ON ticket_types FOR EACH ROW EXECUTE FUNCTION claims_within_capacity()""",
    f"""
CREATE FUNCTION claim_order_line() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE')
       AND (SELECT status FROM orders WHERE id = OLD.order_id) IN {CLAIMING} THEN
        UPDATE ticket_types SET seats_claimed = seats_claimed - OLD.quantity
        WHERE id = OLD.ticket_type_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE')
       AND (SELECT status FROM orders WHERE id = NEW.order_id) IN {CLAIMING} THEN
        UPDATE ticket_types SET seats_claimed = seats_claimed + NEW.quantity
        WHERE id = NEW.ticket_type_id;
    END IF;
    RETURN NULL;
END $$""",
    """
CREATE TRIGGER order_lines_claim_seats AFTER INSERT OR DELETE OR UPDATE OF quantity, ticket_type_id
ON order_lines FOR EACH ROW EXECUTE FUNCTION claim_order_line()""",
    f"""
CREATE FUNCTION claim_order_seats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was boolean := TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN {CLAIMING};
    now_claims boolean := TG_OP = 'UPDATE' AND NEW.status IN {CLAIMING};
    line record;
BEGIN
    IF was <> now_claims THEN
        -- Tiers in id order: two orders never lock them in opposite orders.
        FOR line IN SELECT ticket_type_id, sum(quantity) AS quantity FROM order_lines
                    WHERE order_id = OLD.id GROUP BY ticket_type_id ORDER BY ticket_type_id LOOP
            UPDATE ticket_types
            SET seats_claimed = seats_claimed + CASE WHEN now_claims THEN 1 ELSE -1 END * line.quantity
            WHERE id = line.ticket_type_id;
        END LOOP;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$""",
    """
CREATE TRIGGER orders_claim_seats AFTER UPDATE OF status ON orders
FOR EACH ROW EXECUTE FUNCTION claim_order_seats()""",
    # Before the delete: the lines (deleted by cascade afterwards) no longer see their order.
    """
CREATE TRIGGER orders_release_seats_on_delete BEFORE DELETE ON orders
FOR EACH ROW EXECUTE FUNCTION claim_order_seats()""",
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS orders_release_seats_on_delete ON orders",
    "DROP TRIGGER IF EXISTS orders_claim_seats ON orders",
    "DROP TRIGGER IF EXISTS order_lines_claim_seats ON order_lines",
    "DROP TRIGGER IF EXISTS ticket_types_claims_within_capacity ON ticket_types",
    "DROP FUNCTION IF EXISTS claim_order_seats()",
    "DROP FUNCTION IF EXISTS claim_order_line()",
    "DROP FUNCTION IF EXISTS claims_within_capacity()",
]


def _sqlite_lines(order: str, sign: str) -> str:
    """Add (sign '+') or remove ('-') all of an order's seats."""
    return (
        f"UPDATE ticket_types SET seats_claimed = seats_claimed {sign} (SELECT sum(quantity)"
        f" FROM order_lines WHERE order_id = {order}.id AND ticket_type_id = ticket_types.id)"
        f" WHERE id IN (SELECT ticket_type_id FROM order_lines WHERE order_id = {order}.id);"
    )


def _sqlite_line(row: str, sign: str) -> str:
    return (
        f"UPDATE ticket_types SET seats_claimed = seats_claimed {sign} {row}.quantity"
        f" WHERE id = {row}.ticket_type_id;"
    )


def _claims(row: str) -> str:
    return f"(SELECT status FROM orders WHERE id = {row}.order_id) IN {CLAIMING}"


SQLITE_TRIGGERS = {
    "ticket_types_claims_within_capacity": (
        "BEFORE UPDATE OF seats_claimed ON ticket_types",
        "NEW.seats_claimed > OLD.seats_claimed AND NEW.seats_claimed > NEW.capacity",
        f"SELECT RAISE(ABORT, '{OVER}');",
    ),
    "order_lines_claim_insert": ("AFTER INSERT ON order_lines", _claims("NEW"), _sqlite_line("NEW", "+")),
    "order_lines_claim_delete": ("AFTER DELETE ON order_lines", _claims("OLD"), _sqlite_line("OLD", "-")),
    "order_lines_claim_update": (
        "AFTER UPDATE OF quantity, ticket_type_id ON order_lines", _claims("NEW"),
        _sqlite_line("OLD", "-") + _sqlite_line("NEW", "+")),
    "orders_claim_seats": (
        "AFTER UPDATE OF status ON orders",
        f"OLD.status NOT IN {CLAIMING} AND NEW.status IN {CLAIMING}", _sqlite_lines("NEW", "+")),
    "orders_release_seats": (
        "AFTER UPDATE OF status ON orders",
        f"OLD.status IN {CLAIMING} AND NEW.status NOT IN {CLAIMING}", _sqlite_lines("NEW", "-")),
    "orders_release_seats_on_delete": (
        "BEFORE DELETE ON orders", f"OLD.status IN {CLAIMING}", _sqlite_lines("OLD", "-")),
}

BACKFILL = f"""
UPDATE ticket_types SET seats_claimed = coalesce((
    SELECT sum(l.quantity) FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE l.ticket_type_id = ticket_types.id AND o.status IN {CLAIMING}), 0)"""


def upgrade():
    op.add_column(
        "ticket_types",
        sa.Column("seats_claimed", sa.Integer(), nullable=False, server_default="0"),
    )
    op.execute(BACKFILL)
    if op.get_bind().dialect.name == "postgresql":
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
    with op.batch_alter_table("ticket_types") as batch:
        batch.drop_column("seats_claimed")
