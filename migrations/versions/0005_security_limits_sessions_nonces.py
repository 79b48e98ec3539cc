"""logout ends sessions; scan nonces scoped to one device and event

users.session_version goes up at each logout, and the user loader refuses a
session cookie made with an older one. scan_attempts.nonce_scope names the
device (API token or logged-in user) and the event a nonce was used for;
the unique key that replays a nonce's first answer now includes it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

NONCE_WHERE = {
    'sqlite_where': sa.text('nonce IS NOT NULL'),
    'postgresql_where': sa.text('nonce IS NOT NULL'),
}


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_version', sa.Integer(), server_default='0', nullable=False)
        )
    with op.batch_alter_table('scan_attempts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('nonce_scope', sa.String(length=60), server_default='', nullable=False)
        )
        batch_op.drop_index('uq_scan_attempts_organization_id_nonce', **NONCE_WHERE)
        batch_op.create_index(
            'uq_scan_attempts_organization_id_nonce_scope_nonce',
            ['organization_id', 'nonce_scope', 'nonce'],
            unique=True,
            **NONCE_WHERE,
        )


def downgrade():
    with op.batch_alter_table('scan_attempts', schema=None) as batch_op:
        batch_op.drop_index('uq_scan_attempts_organization_id_nonce_scope_nonce', **NONCE_WHERE)
    # Scoped nonces may repeat across devices: keep the first of each before
    # the organization-wide key comes back.
    op.execute(
        "UPDATE scan_attempts SET nonce = NULL WHERE nonce IS NOT NULL AND id NOT IN "
        "(SELECT min(id) FROM scan_attempts WHERE nonce IS NOT NULL "
        "GROUP BY organization_id, nonce)"
    )
    with op.batch_alter_table('scan_attempts', schema=None) as batch_op:
        batch_op.create_index(
            'uq_scan_attempts_organization_id_nonce',
            ['organization_id', 'nonce'],
            unique=True,
            **NONCE_WHERE,
        )
        batch_op.drop_column('nonce_scope')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
