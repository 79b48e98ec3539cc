"""door without network: door list salts, the change log deltas read, offline conflicts

`door_lists` keeps each event's random salt (the key of the HMAC that hides
ticket codes in the offline door list). `door_changes` is a log of every
change of a ticket as the door sees it, written by triggers in the same
transaction as the change, whoever makes it: a ticket sold, renamed, paid,
revoked (tickets), its order paid, refunded, lapsed (orders), its tier
renamed (ticket_types), a check-in made, moved or undone (checkins). On PostgreSQL each row keeps the writing
transaction's id (txid_current()) so that a delta can ask for exactly what
the previous list's snapshot did not see (ticketing/checkin/door_list.py).
`checkin_conflicts` records tickets let in twice by offline devices.

Only new tables and triggers: no existing table is rebuilt.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-07 14:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None


PG_CREATE = [
    """
CREATE FUNCTION door_change_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status
       AND OLD.holder_name IS NOT DISTINCT FROM NEW.holder_name
       AND OLD.ticket_type_id = NEW.ticket_type_id AND OLD.event_id = NEW.event_id THEN
        RETURN NULL;
    END IF;
    INSERT INTO door_changes (event_id, ticket_id, txid) VALUES (NEW.event_id, NEW.id, txid_current());
    RETURN NULL;
END $$""",
    """
CREATE FUNCTION door_change_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO door_changes (event_id, ticket_id, txid)
    SELECT t.event_id, t.id, txid_current() FROM tickets t WHERE t.order_id = NEW.id;
    RETURN NULL;
END $$""",
    """
CREATE FUNCTION door_change_tier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO door_changes (event_id, ticket_id, txid)
    SELECT t.event_id, t.id, txid_current() FROM tickets t WHERE t.ticket_type_id = NEW.id;
    RETURN NULL;
END $$""",
    """
CREATE FUNCTION door_change_checkin() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.undone_at IS NOT DISTINCT FROM NEW.undone_at
       AND OLD.checked_in_at = NEW.checked_in_at AND OLD.gate = NEW.gate THEN
        RETURN NULL;
    END IF;
    INSERT INTO door_changes (event_id, ticket_id, txid) VALUES (NEW.event_id, NEW.ticket_id, txid_current());
    RETURN NULL;
END $$""",
    """CREATE TRIGGER tickets_door_change AFTER INSERT OR UPDATE ON tickets
       FOR EACH ROW EXECUTE FUNCTION door_change_ticket()""",
    """CREATE TRIGGER orders_door_change AFTER UPDATE ON orders FOR EACH ROW
       WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.paid_minor IS DISTINCT FROM NEW.paid_minor)
       EXECUTE FUNCTION door_change_order()""",
    """CREATE TRIGGER ticket_types_door_change AFTER UPDATE ON ticket_types FOR EACH ROW
       WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION door_change_tier()""",
    """CREATE TRIGGER checkins_door_change AFTER INSERT OR UPDATE ON checkins
       FOR EACH ROW EXECUTE FUNCTION door_change_checkin()""",
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS tickets_door_change ON tickets",
    "DROP TRIGGER IF EXISTS orders_door_change ON orders",
    "DROP TRIGGER IF EXISTS checkins_door_change ON checkins",
    "DROP TRIGGER IF EXISTS ticket_types_door_change ON ticket_types",
    "DROP FUNCTION IF EXISTS door_change_ticket()",
    "DROP FUNCTION IF EXISTS door_change_order()",
    "DROP FUNCTION IF EXISTS door_change_checkin()",
    "DROP FUNCTION IF EXISTS door_change_tier()",
]

SQLITE_TICKET = "INSERT INTO door_changes (event_id, ticket_id) VALUES (NEW.event_id, NEW.id);"
SQLITE_CHECKIN = "INSERT INTO door_changes (event_id, ticket_id) VALUES (NEW.event_id, NEW.ticket_id);"
SQLITE_TRIGGERS = {
    'tickets_door_change_insert': ('AFTER INSERT ON tickets', '1', SQLITE_TICKET),
    'tickets_door_change_update': (
        'AFTER UPDATE ON tickets',
        'OLD.status IS NOT NEW.status OR OLD.holder_name IS NOT NEW.holder_name'
        ' OR OLD.ticket_type_id IS NOT NEW.ticket_type_id OR OLD.event_id IS NOT NEW.event_id',
        SQLITE_TICKET),
    'orders_door_change': (
        'AFTER UPDATE ON orders',
        'OLD.status IS NOT NEW.status OR OLD.paid_minor IS NOT NEW.paid_minor',
        'INSERT INTO door_changes (event_id, ticket_id) SELECT event_id, id FROM tickets'
        ' WHERE order_id = NEW.id;'),
    'ticket_types_door_change': (
        'AFTER UPDATE ON ticket_types', 'OLD.name IS NOT NEW.name',
        'INSERT INTO door_changes (event_id, ticket_id) SELECT event_id, id FROM tickets'
        ' WHERE ticket_type_id = NEW.id;'),
    'checkins_door_change_insert': ('AFTER INSERT ON checkins', '1', SQLITE_CHECKIN),
    'checkins_door_change_update': (
        'AFTER UPDATE ON checkins',
        'OLD.undone_at IS NOT NEW.undone_at OR OLD.checked_in_at IS NOT NEW.checked_in_at'
        ' OR OLD.gate IS NOT NEW.gate',
        SQLITE_CHECKIN),
}


def upgrade():
    op.create_table('door_lists',
    sa.Column('event_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_door_lists_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_door_lists'))
    )
    op.create_table('door_changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('txid', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_door_changes_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_door_changes_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_door_changes'))
    )
    with op.batch_alter_table('door_changes', schema=None) as batch_op:
        batch_op.create_index('ix_door_changes_event_id_id', ['event_id', 'id'], unique=False)
        batch_op.create_index('ix_door_changes_event_id_txid', ['event_id', 'txid'], unique=False)
    op.create_table('checkin_conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=True),
    sa.Column('kept_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kept_gate', sa.String(length=100), nullable=False),
    sa.Column('kept_device', sa.String(length=200), nullable=False),
    sa.Column('kept_user_id', sa.Integer(), nullable=True),
    sa.Column('kept_token_id', sa.Integer(), nullable=True),
    sa.Column('other_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('other_gate', sa.String(length=100), nullable=False),
    sa.Column('other_device', sa.String(length=200), nullable=False),
    sa.Column('other_user_id', sa.Integer(), nullable=True),
    sa.Column('other_token_id', sa.Integer(), nullable=True),
    sa.Column('nonce_scope', sa.String(length=60), nullable=False),
    sa.Column('nonce', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_checkin_conflicts_checkin_id_checkins'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_checkin_conflicts_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kept_token_id'], ['api_tokens.id'], name=op.f('fk_checkin_conflicts_kept_token_id_api_tokens')),
    sa.ForeignKeyConstraint(['kept_user_id'], ['users.id'], name=op.f('fk_checkin_conflicts_kept_user_id_users')),
    sa.ForeignKeyConstraint(['other_token_id'], ['api_tokens.id'], name=op.f('fk_checkin_conflicts_other_token_id_api_tokens')),
    sa.ForeignKeyConstraint(['other_user_id'], ['users.id'], name=op.f('fk_checkin_conflicts_other_user_id_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_checkin_conflicts_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_conflicts'))
    )
    with op.batch_alter_table('checkin_conflicts', schema=None) as batch_op:
        batch_op.create_index('ix_checkin_conflicts_event_id_created_at', ['event_id', 'created_at'], unique=False)
        batch_op.create_index('ix_checkin_conflicts_nonce_scope_nonce', ['nonce_scope', 'nonce'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        for statement in PG_CREATE:
            op.execute(statement)
    else:
        for name, (timing, when, body) in SQLITE_TRIGGERS.items():
            op.execute(f'CREATE TRIGGER {name} {timing} FOR EACH ROW WHEN {when} BEGIN {body} END')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for statement in PG_DROP:
            op.execute(statement)
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    op.drop_table('checkin_conflicts')
    op.drop_table('door_changes')
    op.drop_table('door_lists')
