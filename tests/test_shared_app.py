"""The session's shared app is put back after each test (tests/support/app_state.py),
and the tables are emptied between tests without TRUNCATE's cost."""

import pytest
from flask import g
from sqlalchemy import func, select

from tests.support import app_state, database, factories
from ticketing.accounts.models import Organization
from ticketing.extensions import limiter


def test_settings_hooks_extensions_and_limits_come_back(make_app):
    app = make_app()
    config, hooks = dict(app.config), list(app.before_request_funcs.get(None, []))
    storage = vars(limiter)["_storage"]
    with app_state.restored_after(app):
        app.config["MAIL_SERVER"] = "smtp.example.test"
        app.before_request_funcs.setdefault(None, []).insert(0, lambda: g.pop("x", None))
        app.extensions["stripe_clients"] = {("key", "base"): object()}
        make_app(RATELIMIT_STORAGE_URI="memory://")  # points the one Limiter elsewhere
        assert vars(limiter)["_storage"] is not storage
        limiter.storage.incr("LIMITER/test/key", 60)
    assert dict(app.config) == config
    assert app.before_request_funcs.get(None, []) == hooks
    assert "stripe_clients" not in app.extensions
    assert vars(limiter)["_storage"] is storage
    assert storage.get("LIMITER/test/key") == 0  # the counts start empty


def test_a_route_added_to_the_shared_app_fails_the_test(make_app):
    app = make_app()
    with pytest.raises(AssertionError, match="own_app"), app_state.restored_after(app):
        app.add_url_rule("/extra", "extra", lambda: "x")


@pytest.mark.own_app
def test_own_app_gives_a_new_app(app, shared_app):
    assert app is not shared_app


def test_app_is_the_shared_one(app, shared_app):
    assert app is shared_app


def test_emptying_leaves_no_rows_and_ids_start_again(db):
    first = factories.organization("First").id
    db.session.commit()
    db.session.close()
    database.empty_all_tables()
    assert db.session.execute(select(func.count()).select_from(Organization)).scalar() == 0
    again = factories.organization("Again")
    db.session.commit()
    assert again.id == first  # as TRUNCATE ... RESTART IDENTITY did
