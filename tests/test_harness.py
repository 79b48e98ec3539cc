"""The test harness itself: the `rollback` path leaves nothing behind, the fast
password hash is the tests' own setting, and slow tests are marked."""

import pytest
from sqlalchemy import create_engine, func, select

from tests.support import database, factories
from ticketing.accounts import services
from ticketing.accounts.models import Organization


def count_elsewhere(database_url: str) -> int:
    """Count organizations on a connection of its own: only committed rows show."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Organization)).scalar()
    finally:
        engine.dispose()


def test_a_rolled_back_test_commits_for_itself_and_leaves_nothing(db, database_url):
    with database.rolled_back(db):
        factories.organization("Rolled back")
        db.session.commit()  # the app's one commit per request: a savepoint here
        factories.organization("Then rolled back to the savepoint")
        db.session.rollback()
        names = db.session.execute(select(Organization.name)).scalars().all()
        assert names == ["Rolled back"]
    assert db.session.execute(select(func.count()).select_from(Organization)).scalar() == 0
    db.session.rollback()  # on SQLite, free the write lock for the other connection
    assert count_elsewhere(database_url) == 0


def test_the_tests_hash_passwords_cheaply_and_check_them_for_real(db):
    user = services.create_user("cheap@example.test", "Cheap", "password-123")
    assert user.password_hash.startswith("pbkdf2:sha256:1000$")
    assert services.password_matches(user, "password-123") is True
    assert services.password_matches(user, "password-124") is False
    assert services._dummy_password_hash().startswith("pbkdf2:sha256:1000$")


def test_production_hashes_with_scrypt(make_app, db):
    app = make_app(PASSWORD_HASH_METHOD=None)
    with app.app_context():
        user = services.create_user("real@example.test", "Real", "password-123")
        assert user.password_hash.startswith("scrypt:")
        assert services.password_matches(user, "password-123") is True
        db.session.rollback()


@pytest.mark.rollback
def test_a_test_with_a_live_server_is_slow_and_commits_for_real(request, live_server):
    assert request.node.get_closest_marker("slow") is not None
