"""Bugs schemathesis found, pinned by name so they stay fixed."""

import pytest

from ticketing.money import STRIPE_MAXIMUM_MINOR

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


def test_an_order_above_what_stripe_can_charge_is_a_422_not_a_503(client, world):
    """Stripe refuses charges above eight digits; the app used to pass such an
    order to Stripe and answer 503 "payments unavailable" for a buyer's typo."""
    body = {
        "buyer_name": "Ada",
        "buyer_email": "ada@example.test",
        "items": [],
        "donation_minor": STRIPE_MAXIMUM_MINOR + 1,
    }
    response = client.post(f"/api/v1/events/{world.event.id}/orders", json=body)
    assert response.status_code == 422
    assert "at most $999,999.99" in response.get_json()["errors"]["total_minor"][0]
    body["donation_minor"] = STRIPE_MAXIMUM_MINOR  # the largest allowed total still gets through
    response = client.post(f"/api/v1/events/{world.event.id}/orders", json=body)
    assert response.status_code != 422, response.get_json()
