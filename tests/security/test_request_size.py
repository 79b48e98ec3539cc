"""A body larger than MAX_CONTENT_LENGTH is refused before it is read: 413.

Before: a 10 MB item list was parsed and validated item by item, holding a
worker for 25 s. Under /api the refusal is JSON; elsewhere a page.
"""

import json
import time

import pytest

from tests.support.world import build_world
from ticketing.orders.models import Order

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied

TEN_MB_OF_ITEMS = json.dumps(
    {
        "buyer_name": "Ada",
        "buyer_email": "ada@example.test",
        "items": [{"ticket_type_id": 1, "quantity": 1}] * 270_000,
    }
)


@pytest.fixture
def world(db):
    """The integration tests' world: two organizations, tokens, a paid order."""
    return build_world(db)


def test_a_10_mb_item_list_is_refused_fast_with_json(client, world, db):
    assert len(TEN_MB_OF_ITEMS) > 10_000_000
    started = time.perf_counter()
    response = client.post(
        f"/api/v1/events/{world.event.id}/orders",
        data=TEN_MB_OF_ITEMS,
        content_type="application/json",
    )
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 413
    assert response.get_json()["code"] == "too_large"
    assert response.get_json()["message"]
    assert db.session.query(Order).count() == 1  # the world's order only


def test_a_large_form_post_gets_a_page(client, world):
    response = client.post(
        f"/events/{world.event.slug}/buy",
        data={"buyer_name": "x" * 2_000_000, "buyer_email": "a@b.test"},
    )
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "<html" in response.get_data(as_text=True)


def test_the_limit_is_a_setting(make_app, world):
    app = make_app(MAX_CONTENT_LENGTH=100)
    response = app.test_client().post(
        f"/api/v1/events/{world.event.id}/orders", json={"x": "X" * 200}
    )
    assert response.status_code == 413


def test_the_default_limit_is_one_megabyte(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024


def test_an_order_takes_at_most_50_items(client, world, db):
    items = [{"ticket_type_id": world.tier.id, "quantity": 1}] * 51
    body = {"buyer_name": "Ada", "buyer_email": "ada@example.test", "items": items}
    response = client.post(f"/api/v1/events/{world.event.id}/orders", json=body)
    assert response.status_code == 422
    assert "items" in response.get_json()["errors"]
    assert db.session.query(Order).count() == 1
