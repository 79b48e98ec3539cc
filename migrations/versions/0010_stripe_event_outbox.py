"""stripe event outbox: the webhook keeps the verified event, a worker applies it

stripe_events gains the event's verified body and its delivery state
(status received/applied/failed, attempts, the worker's lease, the next try,
the last error, what applying did). Rows from before were applied in the
request that received them: status 'applied'. Columns only, no rebuild.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 04:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TIMES = ('claimed_at', 'due_at', 'applied_at')
TEXTS = ('payload', 'last_error', 'outcome')


def upgrade():
    with op.batch_alter_table('stripe_events', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('status', sa.String(length=20), server_default='applied', nullable=False)
        )
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        for name in TIMES:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        for name in TEXTS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))
        batch_op.create_index('ix_stripe_events_status_due_at', ['status', 'due_at'])


def downgrade():
    op.drop_index('ix_stripe_events_status_due_at', table_name='stripe_events')
    for name in reversed(('status', 'attempts', *TIMES, *TEXTS)):
        op.drop_column('stripe_events', name)
