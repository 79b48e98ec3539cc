"""event and tier texts in several languages

events.translations and ticket_types.translations hold, per language (en,
ru, uk, tr), the texts given in it: an event's name, description, venue and
beneficiary, a tier's name. Pages fall back to the main text. JSON on both
databases, '{}' by default so rows written without it (the benchmarks' raw
inserts) still have a map.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, not a batch: on SQLite a batch copies the table,
    # which the seat-claim triggers of migration 0003 (on order_lines) refuse.
    for table in ('events', 'ticket_types'):
        op.add_column(
            table,
            sa.Column('translations', sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
        )


def downgrade():
    # DROP COLUMN needs SQLite 3.35 or later (a plain one, for the same reason).
    for table in ('ticket_types', 'events'):
        op.drop_column(table, 'translations')
