"""paying without a card: reservations, their payments, the ways to pay

Events get the ways to pay they allow (`payment_methods`, default card),
transfer instructions, the reservations' deadline and a cap on the seats
unpaid reservations may hold. Orders get `payment_method`, a
`payment_reference` and `paid_minor` (what a reservation received), and the
status `reserved`, which claims seats like a pending hold (so the seat-claim
triggers of migration 0003 are rewritten with it). Tickets may be `unpaid`;
manual payments may be toward a reservation (`kind` widens to 20: the word
has 11 letters), name the device link that collected them and a transfer's
reference.

On SQLite no table is rebuilt: dropping the old orders, tickets or
manual_payments would trip the foreign keys of the rows that point to them
(checked inside the migration's transaction). CHECK lists, a declared
VARCHAR length and a REFERENCES clause do not change how rows are stored,
so they are edited in the schema text (SQLite's documented procedure for
such changes, with schema_version bumped and quick_check after); columns
are added with ALTER TABLE; the seat-claim triggers are dropped and made
again with the new status list.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 06:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

OLD_CLAIMING = "('pending', 'paid', 'partially_refunded')"
NEW_CLAIMING = "('paid', 'partially_refunded', 'pending', 'reserved')"

ORDER_STATUSES = ('pending', 'paid', 'expired', 'canceled', 'refunded', 'partially_refunded')
TICKET_STATUSES = ('valid', 'revoked')
MANUAL_KINDS = ('donation', 'tickets')
PAYMENT_METHODS = ('card', 'door', 'transfer')

# table -> (constraint name, old list, new list)
CHECKS = {
    'orders': ('status_known', 'status', ORDER_STATUSES, ORDER_STATUSES + ('reserved',)),
    'tickets': ('status_known', 'status', TICKET_STATUSES, TICKET_STATUSES + ('unpaid',)),
    'manual_payments': ('kind_known', 'kind', MANUAL_KINDS, MANUAL_KINDS + ('reservation',)),
}
CLAIM_FUNCTIONS = ('claim_order_line', 'claim_order_seats')


def _in(column: str, values) -> str:
    return f"{column} IN {tuple(values)}"


def _check_sql(table: str, name: str, condition: str) -> str:
    return f"CONSTRAINT ck_{table}_{name} CHECK ({condition})"


NEW_ORDER_CHECKS = (('payment_method_known', _in('payment_method', PAYMENT_METHODS)),
                    ('paid_non_negative', 'paid_minor >= 0'))
TOKEN_FK = 'fk_manual_payments_recorded_by_token_id_api_tokens'
TOKEN_REFERENCE = f' CONSTRAINT {TOKEN_FK} REFERENCES api_tokens (id)'
KIND_10, KIND_20 = 'kind VARCHAR(10) NOT NULL', 'kind VARCHAR(20) NOT NULL'


def _add_columns(sqlite: bool):
    with op.batch_alter_table('events', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('payment_methods', sa.JSON(), nullable=False,
                                      server_default=sa.text('\'["card"]\'')))
        batch_op.add_column(sa.Column('transfer_instructions', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('reservations_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('unpaid_seats_cap', sa.Integer(), nullable=True))
    with op.batch_alter_table('orders', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('payment_method', sa.String(length=10), nullable=False,
                                      server_default='card'))
        batch_op.add_column(sa.Column('payment_reference', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('paid_minor', sa.Integer(), nullable=False, server_default='0'))
    op.create_index('uq_orders_payment_reference', 'orders', ['payment_reference'], unique=True)
    if sqlite:
        op.execute('ALTER TABLE manual_payments ADD COLUMN recorded_by_token_id INTEGER'
                   + TOKEN_REFERENCE)
    else:
        op.add_column('manual_payments', sa.Column('recorded_by_token_id', sa.Integer(), nullable=True))
        op.create_foreign_key(TOKEN_FK, 'manual_payments', 'api_tokens', ['recorded_by_token_id'], ['id'])
    op.add_column('manual_payments', sa.Column('reference', sa.String(length=100), nullable=False,
                                               server_default=''))


def _drop_columns(sqlite: bool):
    op.drop_index('uq_orders_payment_reference', table_name='orders')
    if not sqlite:
        op.drop_constraint(TOKEN_FK, 'manual_payments', type_='foreignkey')
    for table, column in (('manual_payments', 'reference'), ('manual_payments', 'recorded_by_token_id'),
                          ('orders', 'paid_minor'), ('orders', 'payment_reference'),
                          ('orders', 'payment_method'), ('events', 'unpaid_seats_cap'),
                          ('events', 'reservations_until'), ('events', 'transfer_instructions'),
                          ('events', 'payment_methods')):
        op.drop_column(table, column)  # SQLite 3.35+: ALTER TABLE ... DROP COLUMN, no rebuild


def _postgresql(new: bool):
    for table, (name, column, old_values, new_values) in CHECKS.items():
        op.drop_constraint(op.f(f'ck_{table}_{name}'), table, type_='check')
        op.create_check_constraint(op.f(f'ck_{table}_{name}'), table,
                                   _in(column, new_values if new else old_values))
    for name, condition in NEW_ORDER_CHECKS:
        if new:
            op.create_check_constraint(op.f(f'ck_orders_{name}'), 'orders', condition)
        else:
            op.drop_constraint(op.f(f'ck_orders_{name}'), 'orders', type_='check')
    op.alter_column('manual_payments', 'kind', existing_type=sa.String(length=10 if new else 20),
                    type_=sa.String(length=20 if new else 10), existing_nullable=False)
    bind = op.get_bind()
    before, after = (OLD_CLAIMING, NEW_CLAIMING) if new else (NEW_CLAIMING, OLD_CLAIMING)
    for function in CLAIM_FUNCTIONS:
        source = bind.execute(sa.text(f"SELECT pg_get_functiondef('{function}'::regproc)")).scalar()
        assert before in source, f"{function} does not hold the claiming list {before}"
        op.execute(source.replace(before, after))


def _sqlite(new: bool):
    """Edit the three tables' schema text and remake the seat-claim triggers."""
    edits = {table: [(_check_sql(table, name, _in(column, old)), _check_sql(table, name, _in(column, new_)))]
             for table, (name, column, old, new_) in CHECKS.items()}
    edits['manual_payments'].append((KIND_10, KIND_20))
    if not new:
        edits = {table: [(b, a) for a, b in pairs] for table, pairs in edits.items()}
        edits['manual_payments'].append(('recorded_by_token_id INTEGER' + TOKEN_REFERENCE,
                                         'recorded_by_token_id INTEGER'))
    added = ''.join(f', {_check_sql("orders", name, condition)}' for name, condition in NEW_ORDER_CHECKS)
    _edit_sqlite_schema(edits, orders_tail=(added if new else None), orders_tail_gone=(None if new else added))
    bind = op.get_bind()
    before, after = (OLD_CLAIMING, NEW_CLAIMING) if new else (NEW_CLAIMING, OLD_CLAIMING)
    triggers = bind.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
    for name, sql in triggers:
        if before in sql:
            op.execute(f'DROP TRIGGER {name}')
            op.execute(sql.replace(before, after))


def _edit_sqlite_schema(edits: dict, orders_tail: str | None, orders_tail_gone: str | None):
    bind = op.get_bind()
    version = bind.execute(sa.text('PRAGMA schema_version')).scalar_one()
    op.execute('PRAGMA writable_schema = ON')
    for table, pairs in edits.items():
        sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
                           {'t': table}).scalar_one()
        for old, new in pairs:
            assert sql.count(old) == 1, f'{table}: expected {old!r} once in its schema'
            sql = sql.replace(old, new)
        if table == 'orders' and orders_tail:
            sql = sql.rstrip()[:-1].rstrip() + orders_tail + '\n)'
        if table == 'orders' and orders_tail_gone:
            assert sql.count(orders_tail_gone) == 1
            sql = sql.replace(orders_tail_gone, '')
        bind.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :t"),
                     {'sql': sql, 't': table})
    op.execute(f'PRAGMA schema_version = {version + 1}')
    op.execute('PRAGMA writable_schema = OFF')
    problems = bind.execute(sa.text('PRAGMA quick_check')).scalars().all()
    assert problems == ['ok'], problems


def upgrade():
    sqlite = op.get_bind().dialect.name != 'postgresql'
    _add_columns(sqlite)
    if sqlite:
        _sqlite(new=True)
    else:
        _postgresql(new=True)


def downgrade():
    sqlite = op.get_bind().dialect.name != 'postgresql'
    # Rows the old schema cannot hold go back to what it knew.
    op.execute("UPDATE orders SET status = 'expired' WHERE status = 'reserved'")
    op.execute("UPDATE tickets SET status = 'revoked' WHERE status = 'unpaid'")
    op.execute("DELETE FROM ledger_entries WHERE manual_payment_id IN "
               "(SELECT id FROM manual_payments WHERE kind = 'reservation')")
    op.execute("DELETE FROM manual_payments WHERE kind = 'reservation'")
    if sqlite:
        _sqlite(new=False)
    else:
        _postgresql(new=False)
    _drop_columns(sqlite)
