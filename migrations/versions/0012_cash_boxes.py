"""cash boxes: each volunteer's or door device's cash, counted and closed

cash_box_closings keeps every closing of a box (a volunteer's login or a door
device's token) with the cash the app expected, the amount counted, their
difference, who closed it and when. A closing is never edited: a trigger
refuses any UPDATE on both databases (and any DELETE on PostgreSQL; SQLite
tests empty tables with DELETE, so there the app simply has no way to).
A re-count is a new row. A new table only: nothing is rebuilt.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

PG_FUNCTION = """
CREATE FUNCTION cash_box_closings_kept() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'cash box closings are never edited or deleted: record a new count';
END;
$$ LANGUAGE plpgsql
"""
PG_TRIGGER = """
CREATE TRIGGER cash_box_closings_kept BEFORE UPDATE OR DELETE ON cash_box_closings
FOR EACH ROW EXECUTE FUNCTION cash_box_closings_kept()
"""
SQLITE_TRIGGER = """
CREATE TRIGGER cash_box_closings_kept BEFORE UPDATE ON cash_box_closings
BEGIN
    SELECT RAISE(ABORT, 'cash box closings are never edited: record a new count');
END
"""


def upgrade():
    op.create_table('cash_box_closings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('token_id', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('expected_minor', sa.Integer(), nullable=False),
    sa.Column('counted_minor', sa.Integer(), nullable=False),
    sa.Column('difference_minor', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('counted_minor >= 0', name=op.f('ck_cash_box_closings_counted_non_negative')),
    sa.CheckConstraint('difference_minor = counted_minor - expected_minor', name=op.f('ck_cash_box_closings_difference_is_counted')),
    sa.CheckConstraint('expected_minor >= 0', name=op.f('ck_cash_box_closings_expected_non_negative')),
    sa.CheckConstraint('user_id IS NOT NULL OR token_id IS NOT NULL', name=op.f('ck_cash_box_closings_names_a_box')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_cash_box_closings_closed_by_id_users')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_cash_box_closings_event_id_events'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_cash_box_closings_token_id_api_tokens')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_cash_box_closings_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cash_box_closings'))
    )
    with op.batch_alter_table('cash_box_closings', schema=None) as batch_op:
        batch_op.create_index('ix_cash_box_closings_event_id_closed_at', ['event_id', 'closed_at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS cash_box_closings_kept ON cash_box_closings')
        op.execute('DROP FUNCTION IF EXISTS cash_box_closings_kept()')
    else:
        op.execute('DROP TRIGGER IF EXISTS cash_box_closings_kept')
    with op.batch_alter_table('cash_box_closings', schema=None) as batch_op:
        batch_op.drop_index('ix_cash_box_closings_event_id_closed_at')

    op.drop_table('cash_box_closings')
