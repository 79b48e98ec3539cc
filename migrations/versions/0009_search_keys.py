"""search keys: names and emails folded for search (Cyrillic, Turkish i, transliterated)

orders.search_key holds the buyer's name and email, tickets.search_key the
holder's name, both folded by ticketing/search_text.py (anyascii to Latin,
lower case); the door and the dashboard search them with LIKE, the same on
SQLite and PostgreSQL. Existing rows are filled here in batches.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 03:45:00

"""
from alembic import op
import sqlalchemy as sa

from ticketing.search_text import KEY_LENGTH, search_key


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BATCH = 5000


def _backfill(table: str, columns: list[str]) -> None:
    connection = op.get_bind()
    select = sa.text(
        f"SELECT id, {', '.join(columns)} FROM {table} WHERE id > :after ORDER BY id LIMIT :n"
    )
    update = sa.text(f"UPDATE {table} SET search_key = :key WHERE id = :id")
    after = 0
    while True:
        rows = connection.execute(select, {"after": after, "n": BATCH}).all()
        if not rows:
            return
        connection.execute(update, [{"id": row[0], "key": search_key(*row[1:])} for row in rows])
        after = rows[-1][0]


def upgrade():
    # Added NOT NULL with an empty default, filled, then (PostgreSQL) the
    # default dropped, so a write that leaves the key out fails there. SQLite
    # keeps the default: dropping it means rebuilding `orders`, which the
    # seat triggers of 0002/0003 hang on; tests/orders/test_search_keys.py
    # checks on both databases that every write path sets the right key.
    for table in ('orders', 'tickets'):
        op.add_column(
            table,
            sa.Column(
                'search_key', sa.String(length=KEY_LENGTH), server_default='', nullable=False
            ),
        )
    _backfill('orders', ['buyer_name', 'buyer_email'])
    _backfill('tickets', ['holder_name'])
    if op.get_bind().dialect.name == 'postgresql':
        for table in ('orders', 'tickets'):
            op.alter_column(table, 'search_key', server_default=None)
    op.create_index('ix_tickets_event_id_search_key', 'tickets', ['event_id', 'search_key'])


def downgrade():
    op.drop_index('ix_tickets_event_id_search_key', table_name='tickets')
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no rebuild of `orders`.
    for table in ('tickets', 'orders'):
        op.drop_column(table, 'search_key')
