"""languages: the event's default, the buyer's and the staff's

events.default_locale is the page language when neither ?lang nor the
browser chooses; orders.locale is the buyer's language (ticket email and
reminders); users.locale is the language organizers and door staff chose
("" follows the browser).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 03:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('default_locale', sa.String(length=5), server_default='en', nullable=False))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), server_default='en', nullable=False))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locale')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('locale')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('default_locale')
