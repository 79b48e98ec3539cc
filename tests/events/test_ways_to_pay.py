"""Events choose their ways to pay (API.md "Paying without a card"): card,
door, transfer; the currency, instructions and deadline must fit them."""

import re

import pytest

from tests.events.test_api import auth, create_event

pytestmark = pytest.mark.rollback

CASH_ONLY = {"currency": "RUB", "payment_methods": ["door"]}


def test_an_event_takes_card_only_by_default(client, orgs):
    body = create_event(client, orgs.organizer_token).get_json()
    assert body["payment_methods"] == ["card"]
    assert body["transfer_instructions"] == "" and body["unpaid_seats_cap"] is None
    assert body["reservations_until"] is None
    assert body["reservation_deadline"] == body["starts_at"]


def test_a_cash_only_event_may_use_a_currency_stripe_cannot_charge(client, orgs):
    created = create_event(
        client,
        orgs.organizer_token,
        currency="RUB",
        payment_methods=["transfer", "door"],
        transfer_instructions="Sberbank 4276 ..., reference: your R- code",
        reservations_until="2026-12-18T18:00:00+03:00",
        unpaid_seats_cap=40,
    )
    assert created.status_code == 201, created.get_json()
    url = f"/api/v1/events/{created.get_json()['id']}"
    body = client.get(url, headers=auth(orgs.organizer_token)).get_json()
    assert body["currency"] == "RUB"
    assert body["payment_methods"] == ["door", "transfer"]  # in the one order
    assert body["reservations_until"] == "2026-12-18T18:00:00+03:00"
    assert body["reservation_deadline"] == "2026-12-18T18:00:00+03:00"
    assert body["unpaid_seats_cap"] == 40


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"currency": "RUB"}, "currency"),  # card by default: Stripe cannot charge RUB
        ({"currency": "RUB", "payment_methods": ["card", "door"]}, "currency"),
        ({"payment_methods": []}, "payment_methods"),
        ({"payment_methods": ["door", "door"]}, "payment_methods"),
        ({"payment_methods": ["cash"]}, "payment_methods"),
        ({"payment_methods": ["transfer"]}, "transfer_instructions"),
        ({"payment_methods": ["transfer"], "transfer_instructions": "  "}, "transfer_instructions"),
        ({"reservations_until": "2026-12-19T19:31:00+03:00"}, "reservations_until"),
        ({"reservations_until": "2026-12-19T19:30:00"}, "reservations_until"),
        ({"unpaid_seats_cap": -1}, "unpaid_seats_cap"),
        ({"unpaid_seats_cap": 1.5}, "unpaid_seats_cap"),
    ],
)
def test_ways_to_pay_that_do_not_fit_are_refused_with_the_field(client, orgs, fields, field):
    response = create_event(client, orgs.organizer_token, **fields)
    assert response.status_code == 422, response.get_json()
    assert field in str(response.get_json()["errors"])


def test_a_change_is_checked_with_what_the_event_already_has(client, orgs):
    token = orgs.organizer_token
    event_id = create_event(client, token, **CASH_ONLY).get_json()["id"]
    url = f"/api/v1/events/{event_id}"
    card = client.patch(url, json={"payment_methods": ["card", "door"]}, headers=auth(token))
    assert card.status_code == 422
    assert "payment_methods" in card.get_json()["errors"]
    transfer = client.patch(url, json={"payment_methods": ["transfer"]}, headers=auth(token))
    assert "transfer_instructions" in transfer.get_json()["errors"]
    late = client.patch(url, json={"starts_at": "2026-12-01T19:30:00+03:00",
                                   "reservations_until": "2026-12-02T10:00:00+03:00"},
                        headers=auth(token))  # fmt: skip
    assert "reservations_until" in late.get_json()["errors"]
    ok = client.patch(
        url,
        json={"payment_methods": ["door", "transfer"], "transfer_instructions": "IBAN TR12"},
        headers=auth(token),
    )
    assert ok.status_code == 200 and ok.get_json()["payment_methods"] == ["door", "transfer"]
    read = client.get(url, headers=auth(token)).get_json()
    assert read["transfer_instructions"] == "IBAN TR12"


def test_the_organizers_form_sets_the_ways_to_pay(client, team, db):
    from sqlalchemy import select

    from tests.events.test_manage_pages import EVENT_FORM
    from tests.support.web import login, post_form
    from ticketing.events.models import Event

    login(client, "organizer@example.test")
    form = {**EVENT_FORM, "currency": "RUB", "payment_methods_shown": "1"}
    none = post_form(client, "/manage/events/new", form)
    assert none.status_code == 422  # every box unticked: no way to pay
    card = post_form(client, "/manage/events/new", {**form, "payment_methods": "card"})
    assert card.status_code == 422
    assert "RUB cannot be charged by card" in card.get_data(as_text=True)
    created = post_form(
        client,
        "/manage/events/new",
        {**form, "payment_methods": ["door", "transfer"], "transfer_instructions": "IBAN",
         "reservations_until": "2026-12-19T12:00", "unpaid_seats_cap": "25"},
    )  # fmt: skip
    assert created.status_code == 302, created.get_data(as_text=True)[:500]
    event = db.session.execute(select(Event).where(Event.currency == "RUB")).scalar_one()
    assert event.payment_methods == ["door", "transfer"]
    assert event.unpaid_seats_cap == 25 and event.transfer_instructions == "IBAN"
    assert event.reservations_until.isoformat() == "2026-12-19T09:00:00+00:00"  # Istanbul
    edit = client.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    boxes = {
        re.search(r'value="(\w+)"', tag).group(1): " checked" in tag
        for tag in re.findall(r"<input[^>]*name=\"payment_methods\"[^>]*>", edit)
    }
    assert boxes == {"card": False, "door": True, "transfer": True}
