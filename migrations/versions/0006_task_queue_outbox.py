"""task queue outbox: email claims and backoff, reminder markers

orders.email_claimed_at marks a send a worker claimed (its lease: a killed
worker's send is taken over once it lapses); email_due_at is when the next
attempt is due (backoff); reminder_claimed_at and reminder_sent_at make the
day-before reminder go out once. Columns only: on SQLite the orders table is
not rebuilt (its triggers name it).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 03:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

COLUMNS = ('email_due_at', 'email_claimed_at', 'reminder_claimed_at', 'reminder_sent_at')


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_orders_email_status_email_due_at', ['email_status', 'email_due_at'])


def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no rebuild of orders.
    op.drop_index('ix_orders_email_status_email_due_at', table_name='orders')
    for name in reversed(COLUMNS):
        op.drop_column('orders', name)
