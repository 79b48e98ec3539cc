"""A checkout that cannot get the tier's lock in time is a clean 503, never a 500."""

from sqlalchemy import create_engine, text

from tests.support import factories as f
from tests.support.orders import count
from ticketing.orders.models import Order


def test_lock_wait_past_the_timeout_is_busy_try_again(make_app, db, database_url, postgres_only):
    event = f.event(f.organization())
    tier = f.tier(event)
    db.session.commit()
    app = make_app(LOCK_TIMEOUT_MS=200)
    other = create_engine(database_url)
    with other.connect() as holder:
        holder.execute(
            text("SELECT id FROM ticket_types WHERE id = :id FOR UPDATE"), {"id": tier.id}
        )  # another checkout holds the tier
        answer = app.test_client().post(
            f"/api/v1/events/{event.id}/orders",
            json={
                "buyer_name": "Ada",
                "buyer_email": "ada@example.test",
                "items": [{"ticket_type_id": tier.id, "quantity": 1}],
            },
        )
        holder.rollback()
    other.dispose()
    assert answer.status_code == 503
    assert answer.get_json()["code"] == "busy" and "try again" in answer.get_json()["message"]
    assert count(db, Order) == 0
