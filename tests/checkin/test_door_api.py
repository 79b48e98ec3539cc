"""Attendee search, the live count, undo, and what a door token may not see."""

import pytest
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.support import factories
from tests.support.door import scan, settle
from ticketing.checkin.models import CheckIn
from ticketing.tickets.codes import new_code


def attendees(client, door, q, token=None, event_id=None):
    return client.get(
        f"/api/v1/events/{event_id or door.event.id}/attendees",
        query_string={"q": q},
        headers=door.headers(token),
    )


def test_door_finds_a_guest_by_name_email_or_order_without_email_or_money(client, door):
    for q in ("ada", "LOVELACE", "ada@example", str(door.order.id), f"#{door.order.id}"):
        response = attendees(client, door, q)
        assert response.status_code == 200, q
        (found,) = response.get_json()
        assert found["code"] == door.ticket.code
        assert found["tier"] == "Standard" and found["holder_name"] == "Ada Lovelace"
        assert found["checked_in"] is False
        assert "buyer_email" not in found
        assert not any("minor" in key for key in found)


def test_search_shows_the_checked_in_state_and_organizers_see_the_email(client, door):
    scan(client, door, door.ticket.code, gate="East")
    (found,) = attendees(client, door, "Ada", token=door.organizer_token).get_json()
    assert found["checked_in"] is True and found["gate"] == "East"
    assert found["buyer_email"] == "ada@example.test"


def test_search_matches_a_code_prefix_and_escapes_wildcards(client, door):
    (found,) = attendees(client, door, door.ticket.code[:8].lower()).get_json()
    assert found["code"] == door.ticket.code
    assert attendees(client, door, "%").get_json() == []
    assert attendees(client, door, "nobody-like-this").get_json() == []


def test_search_in_another_organizations_event_is_404(client, door, db):
    stranger = factories.token(factories.organization(), "door")
    settle(db)
    response = attendees(client, door, "Ada", token=stranger)
    assert response.status_code == 404
    assert "Ada" not in response.get_data(as_text=True)


def test_event_bound_token_cannot_search_another_event(client, door, db):
    bound = factories.token(door.org, "door", event_id=door.other_event.id)
    settle(db)
    assert attendees(client, door, "Ada", token=bound).status_code == 404
    assert attendees(client, door, "Ada", token=bound, event_id=door.other_event.id).json == []


def test_live_count_of_checked_in_and_sold(client, door, db):
    url = f"/api/v1/events/{door.event.id}/checkins/stats"
    assert client.get(url, headers=door.headers()).get_json() == {
        "event_id": door.event.id,
        "checked_in": 0,
        "sold": 1,
    }
    scan(client, door, door.ticket.code)
    assert client.get(url, headers=door.headers()).get_json()["checked_in"] == 1


def _checkin_id(client, door) -> int:
    return scan(client, door, door.ticket.code).get_json()["checkin_id"]


def test_door_may_not_undo(client, door, db):
    checkin_id = _checkin_id(client, door)
    response = client.post(f"/api/v1/checkins/{checkin_id}/undo", headers=door.headers())
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden"
    standing = db.session.execute(select(CheckIn)).scalar_one()
    assert standing.undone_at is None


def test_organizer_undoes_then_the_ticket_enters_again(client, door, db):
    checkin_id = _checkin_id(client, door)
    organizer = door.headers(door.organizer_token)
    response = client.post(f"/api/v1/checkins/{checkin_id}/undo", headers=organizer)
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == checkin_id and body["undone_at"] and body["undone_by_id"]
    again = client.post(f"/api/v1/checkins/{checkin_id}/undo", headers=organizer)
    assert again.status_code == 409 and again.get_json()["code"] == "already_undone"
    reentry = scan(client, door, door.ticket.code)
    assert reentry.status_code == 200 and reentry.get_json()["checkin_id"] != checkin_id
    checkins = db.session.execute(select(CheckIn).order_by(CheckIn.id)).scalars().all()
    assert [c.undone_at is None for c in checkins] == [False, True]


def test_undo_of_another_organizations_checkin_is_404(client, door, db):
    checkin_id = _checkin_id(client, door)
    stranger = factories.token(factories.organization(), "organizer")
    settle(db)
    response = client.post(f"/api/v1/checkins/{checkin_id}/undo", headers=door.headers(stranger))
    assert response.status_code == 404


# The order itself answers 404 to anyone without its access token or an
# organizer token: the door learns not even that it exists.
MONEY_ENDPOINTS = [
    ("GET", "/api/v1/events/{event_id}/totals", {403}),
    ("GET", "/api/v1/orders/{order_id}", {403, 404}),
    ("POST", "/api/v1/orders/{order_id}/refund", {403}),
]


@pytest.mark.parametrize(("method", "template", "refusals"), MONEY_ENDPOINTS)
def test_door_token_is_refused_on_money(served_app, client, door, method, template, refusals):
    url = template.format(event_id=door.event.id, order_id=door.order.id)
    adapter = served_app.url_map.bind("localhost")
    try:
        adapter.match(url, method=method)
    except (NotFound, MethodNotAllowed):
        pytest.xfail(f"{method} {template} is built by another domain and is not here yet")
    response = client.open(url, method=method, json={}, headers=door.headers())
    assert response.status_code in refusals
    text = response.get_data(as_text=True)
    assert "minor" not in text and "ada@example.test" not in text


def test_ticket_of_a_foreign_code_does_not_leak_through_search_or_stats(client, door, db):
    other_org = factories.organization()
    other_event = factories.event(other_org)
    other_tier = factories.tier(other_event)
    factories.ticket(factories.paid_order(other_event, [(other_tier, 1)]), other_tier, new_code())
    settle(db)
    url = f"/api/v1/events/{other_event.id}/checkins/stats"
    assert client.get(url, headers=door.headers()).status_code == 404
