"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ticketing.extensions import db as _db


def _render_item(type_, obj, autogen_context):
    return False


def test_models_and_migrations_agree(app, db):
    # The session's schema was built by `flask db upgrade` (see conftest).
    with _db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        diff = compare_metadata(context, _db.metadata)
    assert diff == []
