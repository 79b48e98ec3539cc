"""The events API of API.md: create, read, tiers with `available`, and who may do what."""

import pytest

from tests.support import factories
from tests.support.orders import pending_order
from ticketing.extensions import db as _db
from ticketing.orders.claims import SoldOut
from ticketing.orders.services import ItemRequest, create_order, expire_holds

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied

EVENT = {
    "name": "Songs for Shelter",
    "starts_at": "2026-12-19T19:30:00+03:00",
    "timezone": "Europe/Istanbul",
    "venue": "Babylon, Istanbul",
    "currency": "EUR",
    "goal_minor": 500_000,
}
TIER = {"name": "Standard", "price_minor": 2500, "capacity": 100}


def create_event(client, token, **fields):
    return client.post("/api/v1/events", json={**EVENT, **fields}, headers=auth(token))


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_create_then_get_an_event(client, orgs):
    response = create_event(client, orgs.organizer_token, description="For the shelter")
    assert response.status_code == 201
    body = response.get_json()
    assert isinstance(body["id"], int)
    assert body["starts_at"] == "2026-12-19T19:30:00+03:00"  # in the event's own zone
    expected = {k: v for k, v in EVENT.items() if k != "starts_at"}
    assert {k: body[k] for k in expected} == expected
    assert body["description"] == "For the shelter" and body["published"] is False

    again = client.get(f"/api/v1/events/{body['id']}", headers=auth(orgs.organizer_token))
    assert again.status_code == 200 and again.get_json() == body


def test_a_utc_start_is_stored_as_the_same_instant(client, orgs):
    body = create_event(client, orgs.owner_token, starts_at="2026-12-19T16:30:00Z").get_json()
    assert body["starts_at"] == "2026-12-19T19:30:00+03:00"


def test_start_without_offset_is_refused(client, orgs):
    response = create_event(client, orgs.organizer_token, starts_at="2026-12-19T19:30:00")
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "validation_error" and "starts_at" in body["errors"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"currency": "XYZ"}, "currency"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"goal_minor": 100.0}, "goal_minor"),
        ({"goal_minor": -1}, "goal_minor"),
        ({"goal_minor": "100"}, "goal_minor"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"venue": "nul\x00byte"}, "venue"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"starts_at": "9999-12-31T23:59:59-12:00"}, "starts_at"),
        ({"ends_at": "2026-12-19T18:00:00+03:00"}, "ends_at"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_event_input_is_422_with_the_field(client, orgs, fields, field):
    response = create_event(client, orgs.organizer_token, **fields)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]


def test_missing_required_fields_are_named(client, orgs):
    response = client.post("/api/v1/events", json={}, headers=auth(orgs.organizer_token))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"name", "starts_at", "timezone", "venue", "currency"} <= set(errors)


def test_who_may_create_events(client, orgs):
    anonymous = client.post("/api/v1/events", json=EVENT)
    assert anonymous.status_code == 401 and anonymous.get_json()["code"] == "unauthorized"
    bad_token = client.post("/api/v1/events", json=EVENT, headers=auth("tkt_nope"))
    assert bad_token.status_code == 401
    door = create_event(client, orgs.door_token)
    assert door.status_code == 403 and door.get_json()["code"] == "forbidden"


def test_published_events_are_public_drafts_only_for_their_org(client, orgs, db):
    public = factories.event(orgs.org, published=True)
    draft = factories.event(orgs.org, published=False)
    db.session.commit()
    assert client.get(f"/api/v1/events/{public.id}").get_json()["id"] == public.id
    assert client.get(f"/api/v1/events/{draft.id}").status_code == 404
    assert (
        client.get(f"/api/v1/events/{draft.id}", headers=auth(orgs.door_token)).status_code == 200
    )
    other = client.get(f"/api/v1/events/{draft.id}", headers=auth(orgs.other_token))
    assert other.status_code == 404 and other.get_json()["code"] == "not_found"
    assert client.get("/api/v1/events/999999").status_code == 404


def test_tiers_created_and_listed_with_available(client, orgs, db):
    event_id = create_event(client, orgs.organizer_token, published=True).get_json()["id"]
    url = f"/api/v1/events/{event_id}/ticket-types"
    created = client.post(url, json=TIER, headers=auth(orgs.organizer_token))
    assert created.status_code == 201
    tier = created.get_json()
    assert isinstance(tier["id"], int) and tier["available"] == 100
    assert (tier["price_minor"], tier["currency"], tier["max_per_order"]) == (2500, "EUR", 10)
    pwyw = {"name": "Pay what you can", "price_minor": 1500, "capacity": 50}
    pwyw |= {"pay_what_you_want": True, "min_price_minor": 2000, "max_per_order": 4}
    assert client.post(url, json=pwyw, headers=auth(orgs.owner_token)).status_code == 201

    listing = client.get(url)  # published: public
    assert listing.status_code == 200
    assert [(t["name"], t["available"]) for t in listing.get_json()] == [
        ("Standard", 100),
        ("Pay what you can", 50),
    ]


def test_available_counts_sold_seats_and_holds_until_released(client, orgs, db):
    event = factories.event(orgs.org, published=True)
    tier = factories.tier(event, capacity=10)
    factories.paid_order(event, [(tier, 2)])
    pending_order(event, [(tier, 3)])
    pending_order(event, [(tier, 4)], minutes=-1)  # lapsed, but claimed until released
    db.session.commit()
    listing = client.get(f"/api/v1/events/{event.id}/ticket-types").get_json()
    assert listing[0]["available"] == 10 - 2 - 3 - 4  # what the seat claim says
    expire_holds()
    db.session.commit()
    one = client.get(f"/api/v1/events/{event.id}/ticket-types/{tier.id}").get_json()
    assert one["available"] == 5


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"price_minor": -1}, "price_minor"),
        ({"price_minor": 25.0}, "price_minor"),
        ({"price_minor": 12.5}, "price_minor"),
        ({"price_minor": True}, "price_minor"),
        ({"price_minor": 2**40}, "price_minor"),
        ({"capacity": -1}, "capacity"),
        ({"min_price_minor": -5, "pay_what_you_want": True}, "min_price_minor"),
        ({"max_per_order": 0}, "max_per_order"),
        (
            {"sales_start": "2026-12-10T10:00:00+00:00", "sales_end": "2026-12-01T10:00:00+00:00"},
            "sales_end",
        ),
        ({"sales_start": "2026-12-10T10:00:00"}, "sales_start"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_tier_input_is_422_with_the_field(client, orgs, db, fields, field):
    event = factories.event(orgs.org)
    db.session.commit()
    url = f"/api/v1/events/{event.id}/ticket-types"
    response = client.post(url, json={**TIER, **fields}, headers=auth(orgs.organizer_token))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert client.get(url).get_json() == []


def test_pay_what_you_want_minimum_above_the_suggestion_is_fine(client, orgs, db):
    event = factories.event(orgs.org)
    db.session.commit()
    body = {**TIER, "pay_what_you_want": True, "min_price_minor": 5000}
    response = client.post(
        f"/api/v1/events/{event.id}/ticket-types", json=body, headers=auth(orgs.organizer_token)
    )
    assert response.status_code == 201 and response.get_json()["min_price_minor"] == 5000


def test_who_may_add_tiers(client, orgs, db):
    ours = factories.event(orgs.org)
    theirs = factories.event(orgs.other_org)
    db.session.commit()
    url = f"/api/v1/events/{ours.id}/ticket-types"
    assert client.post(url, json=TIER).status_code == 401
    assert client.post(url, json=TIER, headers=auth(orgs.door_token)).status_code == 403
    assert client.post(url, json=TIER, headers=auth(orgs.other_token)).status_code == 404
    # Another org's event is 404 even with a bad body: existence is not revealed.
    their_url = f"/api/v1/events/{theirs.id}/ticket-types"
    assert client.post(their_url, json={}, headers=auth(orgs.organizer_token)).status_code == 404
    assert client.get(url, headers=auth(orgs.door_token)).status_code == 200
    assert client.get(url).get_json() == []


def test_event_bound_token_touches_only_its_event(client, orgs, db):
    mine = factories.event(orgs.org, published=False)
    sibling = factories.event(orgs.org, published=False)
    token = factories.token(orgs.org, "organizer", event_id=mine.id)
    db.session.commit()
    assert client.get(f"/api/v1/events/{mine.id}", headers=auth(token)).status_code == 200
    assert client.get(f"/api/v1/events/{sibling.id}", headers=auth(token)).status_code == 404
    url = f"/api/v1/events/{sibling.id}/ticket-types"
    assert client.post(url, json=TIER, headers=auth(token)).status_code == 404
    assert create_event(client, token).status_code == 403


def test_patch_event_and_the_currency_lock(client, orgs, db):
    event = factories.event(orgs.org, currency="USD", published=False)
    db.session.commit()
    url = f"/api/v1/events/{event.id}"
    headers = auth(orgs.organizer_token)
    changed = client.patch(url, json={"published": True, "currency": "eur"}, headers=headers)
    assert changed.status_code == 200
    assert (changed.get_json()["published"], changed.get_json()["currency"]) == (True, "EUR")
    assert client.patch(url, json={"timezone": "Nowhere/City"}, headers=headers).status_code == 422
    assert (
        client.patch(url, json={"published": False}, headers=auth(orgs.door_token)).status_code
        == 403
    )

    tier = factories.tier(_db.session.get(type(event), event.id))
    pending_order(_db.session.get(type(event), event.id), [(tier, 1)])
    db.session.commit()
    locked = client.patch(url, json={"currency": "GBP"}, headers=headers)
    assert locked.status_code == 409
    assert "currency" in locked.get_json()["errors"]
    assert client.get(url).get_json()["currency"] == "EUR"


def test_patch_tier_keeps_order_prices_and_capacity_floor(client, orgs, db):
    event = factories.event(orgs.org)
    tier = factories.tier(event, price_minor=2500, capacity=10)
    order = factories.paid_order(event, [(tier, 4)])
    pending_order(event, [(tier, 2)])
    db.session.commit()
    url = f"/api/v1/events/{event.id}/ticket-types/{tier.id}"
    headers = auth(orgs.organizer_token)

    too_small = client.patch(url, json={"capacity": 5}, headers=headers)
    assert too_small.status_code == 422
    assert "6 seats" in too_small.get_json()["errors"]["capacity"][0]
    response = client.patch(url, json={"capacity": 6, "price_minor": 3000}, headers=headers)
    assert response.status_code == 200
    assert (response.get_json()["price_minor"], response.get_json()["available"]) == (3000, 0)

    db.session.expire_all()
    line = db.session.get(type(order), order.id).lines[0]
    assert line.unit_price_minor == 2500
    assert db.session.get(type(order), order.id).total_minor == 10000


def test_openapi_documents_the_events_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert {"post"} <= set(paths["/api/v1/events"])
    assert {"get", "patch"} <= set(paths["/api/v1/events/{event_id}"])
    assert {"get", "post"} <= set(paths["/api/v1/events/{event_id}/ticket-types"])
    post = paths["/api/v1/events"]["post"]
    assert post["security"] == [{"bearerAuth": []}]
    assert {"201", "401", "403", "422"} <= set(post["responses"])
    schema = spec["components"]["schemas"]["EventsTicketType"]
    assert "available" in schema["properties"]


def test_ids_no_row_can_have_are_404_not_500(client, orgs):
    headers = orgs.auth(orgs.organizer_token)
    huge = 10**22
    for url in (
        f"/api/v1/events/{huge}",
        f"/api/v1/events/{huge}/ticket-types",
        f"/api/v1/events/{huge}/ticket-types/{huge}",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 404 and response.get_json()["code"] == "not_found", url
    patch = client.patch(f"/api/v1/events/{huge}", json={"name": "x"}, headers=headers)
    assert patch.status_code == 404


def test_page_api_and_claim_agree_on_seats_left(client, orgs, db):
    """One count of seats left: the event page, the API and the sold-out answer."""
    event = factories.event(orgs.org, published=True)
    tier = factories.tier(event, capacity=6)
    factories.paid_order(event, [(tier, 1)])
    pending_order(event, [(tier, 2)])
    db.session.commit()
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert '<div class="tier-left">3 left</div>' in page
    listing = client.get(f"/api/v1/events/{event.id}/ticket-types").get_json()
    assert listing[0]["available"] == 3
    with pytest.raises(SoldOut) as refused:
        create_order(
            event, buyer_name="Bo", buyer_email="bo@example.test",
            items=[ItemRequest(tier.id, 4)],
        )  # fmt: skip
    assert refused.value.extra["available"] == {str(tier.id): 3}
    db.session.rollback()
    create_order(
        event, buyer_name="Bo", buyer_email="bo@example.test", items=[ItemRequest(tier.id, 3)]
    )
    db.session.commit()
    assert client.get(f"/api/v1/events/{event.id}/ticket-types").get_json()[0]["available"] == 0
    assert '<span class="sold-out">Sold out</span>' in client.get(f"/events/{event.slug}").get_data(
        as_text=True
    )
