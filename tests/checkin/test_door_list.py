"""The door list an offline scanner keeps: hashes not codes, deltas that miss nothing."""

from tests.checkin.offline_support import (
    body_of,
    by_hash,
    code_hash,
    door_list,
    paid_tickets,
    reservation,
)
from tests.support import factories
from tests.support.door import scan, settle
from ticketing.accounts.models import ApiToken
from ticketing.checkin import door_list as service
from ticketing.orders import reservations
from ticketing.orders.models import Order


def test_full_list_hashes_every_ticket_and_never_sends_a_code(client, door, db):
    others = paid_tickets(door.event, door.tier, ["Петрова Анна", "İsmail Yılmaz"])
    order, unpaid = reservation(door.event, door.tier, quantity=2)
    settle(db)
    response = door_list(client, door)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    raw = response.get_data()
    body = body_of(response)
    assert body["full"] is True and body["cursor"] and len(body["salt"]) >= 16
    assert len(body["tickets"]) == 5
    text = str(body) + raw.decode("latin-1")
    for ticket in [door.ticket, *others, *unpaid]:
        assert ticket.code not in text
    found = by_hash(body)
    ada = found[code_hash(body["salt"], door.ticket.code)]
    assert ada == {
        "code_hash": ada["code_hash"],
        "holder_name": "Ada Lovelace",
        "ticket_type": "Standard",
        "status": "valid",
    }
    anna = found[code_hash(body["salt"], others[0].code)]
    assert anna["search_key"] == "petrova anna"
    assert found[code_hash(body["salt"], others[1].code)]["search_key"] == "ismail yilmaz"
    owed = found[code_hash(body["salt"], unpaid[0].code)]
    assert owed["status"] == "unpaid"
    assert owed["amount_due_minor"] == order.total_minor
    assert owed["order_id"] == order.id and owed["order_tickets"] == 2
    # The salt stays: a second list hashes the same way.
    assert body_of(door_list(client, door, gzip_ok=False))["salt"] == body["salt"]


def test_the_hash_is_of_the_normalized_code():
    assert service.code_hash("s", "abcd-efgh ijkl") == code_hash("s", "ABCDEFGHIJKL")


def test_delta_holds_exactly_the_changed_tickets(client, door, db):
    sold = paid_tickets(door.event, door.tier, ["Grace Hopper", "Alan Turing"])
    order, unpaid = reservation(door.event, door.tier, quantity=1)
    settle(db)
    first = body_of(door_list(client, door))
    nothing = body_of(door_list(client, door, since=first["cursor"]))
    assert nothing["full"] is False and nothing["tickets"] == []
    # Checked in, refunded, paid, and one newly sold.
    assert scan(client, door, sold[0].code, gate="East").status_code == 200
    db.session.get(Order, sold[1].order_id).status = "refunded"
    reservations.settle(db.session.get(Order, order.id))
    (late,) = paid_tickets(door.event, door.tier, ["Late Comer"])
    settle(db)
    delta = body_of(door_list(client, door, since=nothing["cursor"]))
    assert delta["full"] is False and delta["salt"] == first["salt"]
    found = by_hash(delta)
    salt = first["salt"]
    assert set(found) == {code_hash(salt, t.code) for t in (sold[0], sold[1], unpaid[0], late)}
    checked = found[code_hash(salt, sold[0].code)]
    assert checked["checked_in_at"] and checked["gate"] == "East"
    assert found[code_hash(salt, sold[1].code)]["status"] == "revoked"
    assert found[code_hash(salt, unpaid[0].code)]["status"] == "valid"
    assert "amount_due_minor" not in found[code_hash(salt, unpaid[0].code)]
    again = body_of(door_list(client, door, since=delta["cursor"]))
    assert again["tickets"] == []


def test_a_bad_or_foreign_cursor_is_a_422(client, door, db):
    other = body_of(door_list(client, door, event_id=door.other_event.id))
    for cursor in ("nonsense", other["cursor"], "v1.x.s.1", "v1.1.p.9:1:"):
        response = door_list(client, door, since=cursor)
        assert response.status_code == 422, cursor
        assert "since" in response.get_json()["errors"]


def test_who_may_read_the_list(client, door, db):
    bound = factories.token(door.org, "door", event_id=door.other_event.id)
    rival = factories.token(factories.organization(), "organizer")
    settle(db)
    assert door_list(client, door, token=door.organizer_token).status_code == 200
    assert door_list(client, door, token=bound).status_code == 404
    assert door_list(client, door, token=bound, event_id=door.other_event.id).status_code == 200
    assert door_list(client, door, token=rival).status_code == 404
    assert client.get(f"/api/v1/events/{door.event.id}/door-list").status_code == 401


def test_a_revoked_device_link_gets_401(client, door, db):
    token = factories.token(door.org, "door", event_id=door.event.id)
    settle(db)
    assert door_list(client, door, token=token).status_code == 200
    row = db.session.query(ApiToken).order_by(ApiToken.id.desc()).first()
    row.revoked_at = row.created_at
    settle(db)
    assert door_list(client, door, token=token).status_code == 401


def test_a_change_committed_after_the_list_was_read_comes_in_the_next_delta(client, door, db):
    """A transaction that wrote before the list was read but committed after it
    (its log id is below rows the list already saw) is not missed."""
    (slow, fast) = paid_tickets(door.event, door.tier, ["Slow Writer", "Fast Writer"])
    settle(db)
    start = body_of(door_list(client, door))["cursor"]
    with db.engine.connect() as other:
        other.exec_driver_sql(f"UPDATE orders SET status = 'refunded' WHERE id = {slow.order_id}")
        if db.engine.dialect.name == "postgresql":
            # A later transaction commits first, with a higher log id.
            assert scan(client, door, fast.code).status_code == 200
        middle = body_of(door_list(client, door, since=start))
        other.commit()
    salt = middle["salt"]
    seen = set(by_hash(middle))
    assert code_hash(salt, slow.code) not in seen
    if db.engine.dialect.name == "postgresql":
        assert code_hash(salt, fast.code) in seen
    after = by_hash(body_of(door_list(client, door, since=middle["cursor"])))
    assert after[code_hash(salt, slow.code)]["status"] == "revoked"


def test_a_tier_rename_sends_its_tickets_again(client, door, db):
    other_tier = factories.tier(door.event, name="Balcony")
    (balcony,) = paid_tickets(door.event, other_tier, ["Up There"])
    settle(db)
    cursor = body_of(door_list(client, door))["cursor"]
    door.tier.name = "Stalls"
    settle(db)
    delta = body_of(door_list(client, door, since=cursor))
    (entry,) = delta["tickets"]
    assert entry["code_hash"] == code_hash(delta["salt"], door.ticket.code)
    assert entry["ticket_type"] == "Stalls"
    assert code_hash(delta["salt"], balcony.code) not in by_hash(delta)
