"""Idempotency keys are unique per install and attempt (issue 12, item 2).

Stripe keeps keys 24 hours per account and refuses a key reused with other
parameters; one test account serves many installs, resets and CI runs. So a
key built from the order id breaks order 1's checkout after any reset.
"""

import stripe
from sqlalchemy import select

from tests.support import factories as f
from tests.support.database import empty_all_tables
from tests.support.standin_params import session_params
from ticketing.orders.models import Order


def _fresh_event(db):
    org = f.organization()
    event = f.event(org, currency="USD")
    tier = f.tier(event, price_minor=2500)
    db.session.commit()
    return event, tier


def test_a_reset_database_checks_out_its_order_again_on_the_same_account(shop, db):
    event, tier = _fresh_event(db)
    first = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 1}])
    assert first.status_code == 201, first.text

    db.session.rollback()
    empty_all_tables()  # a reset, a second install or the next CI run
    event, tier = _fresh_event(db)
    second = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 2}])

    assert second.status_code == 201, second.text
    assert second.json()["id"] == first.json()["id"]  # the same order id, at the same Stripe
    assert second.json()["checkout_url"] != first.json()["checkout_url"]
    session = shop.standin.client().v1.checkout.sessions.retrieve(shop.session_id(second.json()))
    assert session.amount_total == 5000
    key = db.session.execute(select(Order.checkout_key)).scalar_one()
    assert key.startswith("checkout-") and len(key) >= 40  # random, stored with the order
    with shop.standin.store.read() as tx:
        stored = tx.conn.execute("SELECT key FROM idempotency").fetchall()
    assert key in {row["key"] for row in stored} and len(stored) == 2


def test_the_standin_keeps_keys_across_restarts_and_refuses_other_parameters(
    make_standin_server, tmp_path
):
    path = str(tmp_path / "shared-account.db")
    first = make_standin_server(STANDIN_DB=path)
    created = first.client().v1.checkout.sessions.create(
        session_params(), options={"idempotency_key": "k-restart"}
    )
    first.stop()

    again = make_standin_server(STANDIN_DB=path)  # the stand-in app restarted
    replay = again.client().v1.checkout.sessions.create(
        session_params(expires_at=created.expires_at), options={"idempotency_key": "k-restart"}
    )
    assert replay.id == created.id
    try:
        again.client().v1.checkout.sessions.create(
            session_params(quantity=3), options={"idempotency_key": "k-restart"}
        )
    except stripe.IdempotencyError as exc:
        assert exc.http_status == 400
        assert exc.error.type == "idempotency_error"
        assert "same parameters" in exc.user_message
    else:
        raise AssertionError("a reused key with other parameters must be refused")
