"""idempotency keys per install and attempt, refund requests, fees known later

- orders.checkout_key: the Checkout Session's random idempotency key at Stripe
  (order ids repeat across installs, resets and CI runs on one account).
- refund_requests: a refund asked of Stripe, committed before Stripe is
  called; the caller's Idempotency-Key is unique per order.
- payments.fee_known: False while Stripe has no balance transaction yet, so
  a fee of 0 is never booked for good.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 00:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkout_key', sa.String(length=64), nullable=True))
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('fee_known', sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.create_table('refund_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('client_key', sa.String(length=255), nullable=True),
    sa.Column('stripe_key', sa.String(length=64), nullable=False),
    sa.Column('asked_minor', sa.Integer(), nullable=True),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('stripe_refund_id', sa.String(length=255), nullable=True),
    sa.Column('refund_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('requested', 'succeeded', 'failed')", name=op.f('ck_refund_requests_status_known')),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_refund_requests_amount_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_refund_requests_created_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_refund_requests_order_id_orders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_refund_requests_payment_id_payments')),
    sa.ForeignKeyConstraint(['refund_id'], ['refunds.id'], name=op.f('fk_refund_requests_refund_id_refunds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refund_requests')),
    sa.UniqueConstraint('order_id', 'client_key', name='uq_refund_requests_order_id_client_key'),
    sa.UniqueConstraint('stripe_key', name=op.f('uq_refund_requests_stripe_key'))
    )
    with op.batch_alter_table('refund_requests', schema=None) as batch_op:
        batch_op.create_index('ix_refund_requests_status_created_at', ['status', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('refund_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_refund_requests_status_created_at')
    op.drop_table('refund_requests')
    # SQLite: a plain ALTER TABLE ... DROP COLUMN (3.35+); recreating the table
    # would break the seat-claim triggers that name it (migration 0003).
    with op.batch_alter_table('payments', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('fee_known')
    with op.batch_alter_table('orders', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('checkout_key')
