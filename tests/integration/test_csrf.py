"""Every HTML form post without its CSRF token is refused (400) and changes nothing.

The same posts WITH the token succeed in the authorization matrix, so the
400 here is the token's absence, not a bad form.
"""

import pytest
from sqlalchemy import select

from tests.integration.access_table import ROWS
from tests.support.web import login_session
from tests.support.world import build_world
from ticketing.extensions import db as _db

# Every POST route outside the JSON API (which takes tokens, not cookies).
HTML_POSTS = {
    "accounts.login",
    "accounts.logout",
    "accounts.profile",
    "orders.buy",
    "orders.pay_reservation_by_card",
    "orders.reserve_instead",
    "accounts.team",
    "accounts.remove_member",
    "accounts.tokens",
    "accounts.revoke_token",
    "manage.new_event",
    "manage.edit_event",
    "manage.new_tier",
    "manage.edit_tier",
    "checkin.undo",
    "checkin.new_device_link",
    "reports.record_donation",
    "reports.record_door_sale",
    "reports.void_manual_payment",
    "reports.record_reservation_payment",
    "reports.close_cash_box",
    "reports.refund",
    "reports.resend_tickets",
}
EXEMPT = {"payments.stripe_webhook"}  # Stripe signs it instead (tests/orders/test_webhooks.py)


def test_the_list_names_every_html_post_route(app):
    posts = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.rule.startswith("/api/")
    }
    assert posts - EXEMPT == HTML_POSTS


def snapshot() -> dict:
    """Every row of every table, read on a connection of its own."""
    with _db.engine.connect() as conn:
        return {
            table.name: sorted(map(repr, conn.execute(select(table)).all()))
            for table in _db.metadata.sorted_tables
        }


def form_row(endpoint: str):
    return next(r for r in ROWS.values() if r.endpoint == endpoint and r.method == "POST")


@pytest.mark.parametrize("endpoint", sorted(HTML_POSTS))
def test_a_form_post_without_its_csrf_token_is_refused(app, db, endpoint):
    world = build_world(db)
    row = form_row(endpoint)
    call = row.build(world, "organizer")
    client = app.test_client()
    if endpoint != "accounts.login":
        login_session(client, world.organizer.user_id)
    before = snapshot()

    response = client.post(call.path, data=call.form)

    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "CSRF" in response.get_data(as_text=True)
    db.session.rollback()  # the error page read the user: end that read (a lock on SQLite)
    assert snapshot() == before
    # The login did not happen, and the logout did not end the session.
    still = client.get("/manage/events")
    expected = 302 if endpoint == "accounts.login" else 200
    assert still.status_code == expected
