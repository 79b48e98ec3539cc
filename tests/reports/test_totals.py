"""Totals: the ledger arithmetic of API.md, and who may read it."""

import pytest

from tests.support import factories
from tests.support.money import card_order
from tests.support.web import bearer, login_as
from ticketing.events.totals import event_totals
from ticketing.payments import ledger

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied

TOTALS_KEYS = {
    "currency", "tickets_sold", "tickets_checked_in", "tickets_minor", "donations_minor",
    "manual_minor", "refunds_minor", "fees_minor", "raised_minor", "net_minor", "goal_minor",
    "goal_progress", "reserved_unpaid_minor",
}  # fmt: skip


def write_ledger(event, order_id=None):
    """One of every kind, plus a mistaken manual entry that is voided."""
    cur = event.currency
    ledger.record(event.id, "ticket_sale", 5000, cur, order_id=order_id)
    ledger.record(event.id, "ticket_sale", 2500, cur, order_id=order_id)
    ledger.record(event.id, "donation", 1234, cur, order_id=order_id)
    ledger.record(event.id, "manual", 10_000, cur, note="cash at the door")
    mistake = ledger.record(event.id, "manual", 777, cur, note="typo")
    ledger.reverse(mistake, note="void: typo")
    ledger.record(event.id, "refund", 2500, cur, order_id=order_id)
    ledger.record(event.id, "fee", 318, cur, order_id=order_id)


def test_totals_follow_the_formula_of_api_md(shop, db):
    order = card_order(shop.event, shop.tier, 3)
    write_ledger(shop.event, order.id)
    # Another event's money and another currency never leak in.
    other_event = factories.event(shop.org, currency="EUR")
    ledger.record(other_event.id, "donation", 99_999, "EUR")
    db.session.commit()

    totals = event_totals(shop.event)

    assert totals["tickets_minor"] == 7500
    assert totals["donations_minor"] == 1234
    assert totals["manual_minor"] == 10_000  # 10_000 + 777 - 777
    assert totals["refunds_minor"] == 2500
    assert totals["fees_minor"] == 318
    assert totals["raised_minor"] == 7500 + 1234 + 10_000 - 2500 == 16_234
    assert totals["net_minor"] == 16_234 - 318 == 15_916
    assert totals["goal_minor"] == 100_000
    assert totals["goal_progress"] == 0.1623
    assert totals["tickets_sold"] == 3
    assert totals["currency"] == "USD"


def test_totals_api_answers_organizer_with_exact_body(client, shop, db):
    card_order(shop.event, shop.tier, 3)
    write_ledger(shop.event)
    db.session.commit()

    response = client.get(
        f"/api/v1/events/{shop.event.id}/totals", headers=bearer(shop.organizer_token)
    )

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == TOTALS_KEYS
    assert body == {
        "currency": "USD",
        "tickets_sold": 3,
        "tickets_checked_in": 0,
        "tickets_minor": 7500,
        "donations_minor": 1234,
        "manual_minor": 10_000,
        "refunds_minor": 2500,
        "fees_minor": 318,
        "raised_minor": 16_234,
        "net_minor": 15_916,
        "goal_minor": 100_000,
        "goal_progress": 0.1623,
        "reserved_unpaid_minor": 0,
    }


def test_totals_api_refuses_anonymous_door_and_other_org(client, shop):
    url = f"/api/v1/events/{shop.event.id}/totals"

    anonymous = client.get(url)
    door = client.get(url, headers=bearer(shop.door_token))
    rival = client.get(url, headers=bearer(shop.other_token))
    missing = client.get("/api/v1/events/999999/totals", headers=bearer(shop.organizer_token))

    assert (anonymous.status_code, anonymous.get_json()["code"]) == (401, "unauthorized")
    assert (door.status_code, door.get_json()["code"]) == (403, "forbidden")
    assert (rival.status_code, rival.get_json()["code"]) == (404, "not_found")
    assert (missing.status_code, missing.get_json()["code"]) == (404, "not_found")
    assert "raised_minor" not in door.get_data(as_text=True)


def test_token_bound_to_another_event_gets_404(client, shop, db):
    other_event = factories.event(shop.org)
    bound = factories.token(shop.org, "organizer", event_id=other_event.id)
    db.session.commit()

    response = client.get(f"/api/v1/events/{shop.event.id}/totals", headers=bearer(bound))

    assert response.status_code == 404


def test_logged_in_organizer_reads_totals_without_a_token(client, shop, db):
    """The dashboard's live refresh uses the session, not a token."""
    ledger.record(shop.event.id, "donation", 4200, "USD")
    db.session.commit()
    login_as(client, shop.organizer.user)

    response = client.get(f"/api/v1/events/{shop.event.id}/totals")

    assert response.status_code == 200
    assert response.get_json()["raised_minor"] == 4200


def test_event_without_goal_has_null_progress(client, shop, db):
    event = factories.event(shop.org, goal_minor=None)
    ledger.record(event.id, "donation", 500, event.currency)
    db.session.commit()

    body = client.get(f"/api/v1/events/{event.id}/totals", headers=bearer(shop.organizer_token))

    assert body.get_json()["goal_minor"] is None
    assert body.get_json()["goal_progress"] is None
    assert body.get_json()["raised_minor"] == 500


def test_totals_are_documented_with_their_schema(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    operation = spec["paths"]["/api/v1/events/{event_id}/totals"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(schema["properties"]) == TOTALS_KEYS
    assert {"401", "403", "404"} <= set(operation["responses"])


def test_goal_progress_is_rounded_down_to_four_decimals(client, shop, db):
    """API.md: raised / goal rounded DOWN (2/3 is 0.6666, never 0.6667; 99.999 % is not 100 %)."""
    two_thirds = factories.event(shop.org, goal_minor=3000)
    ledger.record(two_thirds.id, "donation", 2000, two_thirds.currency)
    almost = factories.event(shop.org, goal_minor=100_000)
    ledger.record(almost.id, "donation", 99_999, almost.currency)
    db.session.commit()

    def progress(event):
        path = f"/api/v1/events/{event.id}/totals"
        return client.get(path, headers=bearer(shop.organizer_token)).get_json()["goal_progress"]

    assert progress(two_thirds) == 0.6666
    assert progress(almost) == 0.9999
    assert event_totals(two_thirds)["goal_progress"] == 0.6666
