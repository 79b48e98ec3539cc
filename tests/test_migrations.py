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


ROWS_AT_0010 = [
    "INSERT INTO organizations (id, name, slug, created_at) VALUES (1, 'Org', 'org', :now)",
    "INSERT INTO users (id, email, name, password_hash, active, session_version, locale,"
    " created_at) VALUES (1, 'a@example.org', 'A', 'x', 1, 0, '', :now)",
    "INSERT INTO events (id, organization_id, name, slug, description, venue, starts_at, timezone,"
    " currency, beneficiary, published, default_locale, created_at, translations)"
    " VALUES (1, 1, 'Gig', 'gig', '', '', :now, 'UTC', 'EUR', '', 1, 'en', :now, '{}')",
    "INSERT INTO ticket_types (id, event_id, name, description, price_minor, capacity,"
    " seats_claimed, pay_what_you_want, max_per_order, position, created_at, translations)"
    " VALUES (1, 1, 'Standard', '', 1000, 10, 0, 0, 10, 0, :now, '{}')",
    "INSERT INTO orders (id, event_id, buyer_name, buyer_email, search_key, status, source,"
    " currency, tickets_minor, donation_minor, total_minor, refunded_minor, access_token_hash,"
    " needs_attention, attention_reason, email_status, email_attempts, email_error, locale,"
    " created_at) VALUES (1, 1, 'B', 'b@example.org', 'b', 'paid', 'door', 'EUR', 2000, 0,"
    " 2000, 0, 'h', 0, '', 'none', 0, '', 'en', :now)",
    "INSERT INTO order_lines (id, order_id, ticket_type_id, quantity, unit_price_minor)"
    " VALUES (1, 1, 1, 2, 1000)",
    "INSERT INTO tickets (id, code, order_id, order_line_id, ticket_type_id, event_id,"
    " holder_name, search_key, status, created_at)"
    " VALUES (1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1, 1, 1, 1, 'B', 'b', 'valid', :now)",
    "INSERT INTO manual_payments (id, event_id, order_id, kind, method, amount_minor, currency,"
    " note, recorded_by_id, created_at, void_reason)"
    " VALUES (1, 1, 1, 'tickets', 'cash', 2000, 'EUR', '', 1, :now, '')",
    "INSERT INTO ledger_entries (id, event_id, order_id, manual_payment_id, kind, currency,"
    " amount_minor, note, created_at) VALUES (1, 1, 1, 1, 'manual', 'EUR', 2000, '', :now)",
]


def test_sqlite_install_with_money_in_it_migrates_up_down_and_up(tmp_path, make_app):
    """Migration 0011 once rebuilt orders on SQLite, which an install with rows
    refused (their foreign keys): existing orders, tickets and payments must
    go through every migration and back with nothing lost or dangling."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from ticketing.database import utcnow

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.db'}")
    with app.app_context():
        upgrade(revision="0010")
        with _db.engine.begin() as conn:
            for statement in ROWS_AT_0010:
                conn.execute(text(statement), {"now": utcnow()})
        upgrade()
        downgrade(revision="0010")
        upgrade()
        with _db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            order = conn.execute(
                text("SELECT status, payment_method, paid_minor FROM orders")
            ).one()
            assert tuple(order) == ("paid", "card", 0)
            assert conn.execute(text("SELECT seats_claimed FROM ticket_types")).scalar() == 2
            assert (
                conn.execute(text("SELECT sum(amount_minor) FROM ledger_entries")).scalar() == 2000
            )
            # The rewritten seat claim counts a reservation like a hold.
            conn.execute(text("UPDATE orders SET status = 'reserved'"))
            assert conn.execute(text("SELECT seats_claimed FROM ticket_types")).scalar() == 2
            conn.execute(text("UPDATE orders SET status = 'expired'"))
            assert conn.execute(text("SELECT seats_claimed FROM ticket_types")).scalar() == 0
        _db.engine.dispose()
