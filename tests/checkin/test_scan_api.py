"""Every answer of POST /api/v1/checkins, the scan log and the nonce replay."""

from sqlalchemy import select

from tests.support import factories
from tests.support.database import rows
from tests.support.door import fresh_nonce, scan, settle
from ticketing.checkin.models import CheckIn, ScanAttempt
from ticketing.orders.models import Order
from ticketing.tickets.codes import new_code


def test_first_scan_is_ok_with_the_ticket_and_no_money(client, door, db):
    response = scan(client, door, door.ticket.code, gate="North", device="phone-1")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["ticket"] == {
        "code": door.ticket.code,
        "ticket_type_id": door.tier.id,
        "tier": "Standard",
        "holder_name": "Ada Lovelace",
        "event_id": door.event.id,
    }
    assert body["checked_in_at"].endswith("+00:00")
    assert body["gate"] == "North"
    text = response.get_data(as_text=True)
    assert "minor" not in text and "@" not in text
    attempt = db.session.execute(select(ScanAttempt)).scalar_one()
    assert (attempt.result, attempt.ticket_id, attempt.gate, attempt.device) == (
        "ok",
        door.ticket.id,
        "North",
        "phone-1",
    )
    assert attempt.api_token_id is not None and attempt.user_id is not None


def test_second_scan_is_already_checked_in_with_first_time_and_gate(client, door, db):
    first = scan(client, door, door.ticket.code, gate="North").get_json()
    response = scan(client, door, door.ticket.code, gate="South")
    assert response.status_code == 409
    body = response.get_json()
    assert body["status"] == body["code"] == "already_checked_in"
    assert body["message"]
    assert body["first_checked_in_at"] == first["checked_in_at"]
    assert body["gate"] == "North"
    assert body["ticket"]["holder_name"] == "Ada Lovelace"
    assert rows(db, CheckIn) == 1
    assert [a.result for a in db.session.execute(select(ScanAttempt)).scalars()] == [
        "ok",
        "already_checked_in",
    ]


def test_code_typed_in_lower_case_with_spaces_and_dashes_matches(client, door):
    code = door.ticket.code.lower()
    typed = f" {code[:4]} {code[4:8]}-{code[8:13]} - {code[13:]} "
    response = scan(client, door, typed)
    assert response.status_code == 200
    assert response.get_json()["ticket"]["code"] == door.ticket.code


def test_unknown_code_is_invalid_and_logged_without_ticket(client, door, db):
    response = scan(client, door, new_code())
    assert response.status_code == 409
    body = response.get_json()
    assert body["status"] == body["code"] == "invalid"
    assert "ticket" not in body
    attempt = db.session.execute(select(ScanAttempt)).scalar_one()
    assert attempt.result == "invalid" and attempt.ticket_id is None


def test_unknown_code_at_an_event_logs_that_event_and_ignores_unknown_ones(client, door, db):
    here = scan(client, door, new_code(), event_id=door.event.id)
    nowhere = scan(client, door, new_code(), event_id=987654)
    assert here.status_code == nowhere.status_code == 409
    assert nowhere.get_json()["status"] == "invalid"
    logged = db.session.execute(select(ScanAttempt.event_id).order_by(ScanAttempt.id)).scalars()
    assert list(logged) == [door.event.id, None]


def test_control_characters_are_stored_safely_not_a_500(client, door, db):
    response = scan(client, door, "AB\x00CD", gate="Main\x00door", device="x\x00")
    assert response.status_code == 409 and response.get_json()["status"] == "invalid"
    attempt = db.session.execute(select(ScanAttempt)).scalar_one()
    assert (attempt.code, attempt.gate, attempt.device) == ("ABCD", "Maindoor", "x")
    db.session.commit()
    found = client.get(
        f"/api/v1/events/{door.event.id}/attendees",
        query_string={"q": "Ada\x00"},
        headers=door.headers(),
    )
    assert found.status_code == 200
    surrogate = client.post(
        "/api/v1/checkins",
        data='{"code": "\\ud800AB", "gate": "\\udfff"}',
        content_type="application/json",
        headers=door.headers(),
    )
    assert surrogate.status_code == 409 and surrogate.get_json()["status"] == "invalid"


def test_garbage_that_is_not_a_code_is_invalid_not_an_error(client, door):
    response = scan(client, door, "https://example.test/?x=1")
    assert response.status_code == 409
    assert response.get_json()["status"] == "invalid"


def test_wrong_event_when_event_id_names_another_event(client, door, db):
    response = scan(client, door, door.ticket.code, event_id=door.other_event.id)
    assert response.status_code == 409
    body = response.get_json()
    assert body["status"] == "wrong_event"
    assert body["ticket"]["event_id"] == door.event.id
    assert rows(db, CheckIn) == 0


def test_event_bound_token_gets_wrong_event_for_a_ticket_of_another_event(client, door, db):
    bound = factories.token(door.org, "door", event_id=door.other_event.id)
    db.session.commit()
    response = scan(client, door, door.ticket.code, token=bound)
    assert response.status_code == 409
    assert response.get_json()["status"] == "wrong_event"
    assert rows(db, CheckIn) == 0


def test_event_bound_token_lets_its_own_event_in(client, door, db):
    bound = factories.token(door.org, "door", event_id=door.event.id)
    db.session.commit()
    response = scan(client, door, door.ticket.code, token=bound)
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def _ticket_with(db, door, order_status="paid", ticket_status="valid"):
    order = factories.paid_order(door.event, [(door.tier, 1)], buyer="Bo Pending")
    order.status = order_status
    ticket = factories.ticket(order, door.tier, new_code())
    ticket.status = ticket_status
    db.session.commit()
    return ticket


def test_pending_and_expired_orders_are_unpaid(client, door, db):
    for status in ("pending", "expired"):
        ticket = _ticket_with(db, door, order_status=status)
        response = scan(client, door, ticket.code)
        assert response.status_code == 409
        assert response.get_json()["status"] == "unpaid", status
    assert rows(db, CheckIn) == 0


def test_revoked_ticket_and_refunded_or_canceled_order_are_revoked(client, door, db):
    cases = [
        {"ticket_status": "revoked"},
        {"order_status": "refunded"},
        {"order_status": "canceled"},
    ]
    for case in cases:
        ticket = _ticket_with(db, door, **case)
        response = scan(client, door, ticket.code)
        assert response.status_code == 409
        assert response.get_json()["status"] == "revoked", case
    assert rows(db, CheckIn) == 0


def test_partially_refunded_order_with_a_valid_ticket_enters(client, door, db):
    ticket = _ticket_with(db, door, order_status="partially_refunded")
    assert scan(client, door, ticket.code).get_json()["status"] == "ok"


def test_nonce_replay_returns_the_identical_answer_and_writes_nothing(client, door, db):
    nonce = fresh_nonce()
    first = scan(client, door, door.ticket.code, nonce=nonce)
    again = scan(client, door, door.ticket.code, nonce=nonce)
    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data()
    assert rows(db, ScanAttempt) == 1 and rows(db, CheckIn) == 1
    # A new nonce is a new scan: now the ticket is already in.
    other = scan(client, door, door.ticket.code, nonce=fresh_nonce())
    assert other.status_code == 409 and other.get_json()["status"] == "already_checked_in"
    assert rows(db, ScanAttempt) == 2


def test_replayed_refusal_stays_a_refusal_even_after_the_order_is_paid(client, door, db):
    ticket = _ticket_with(db, door, order_status="pending")
    nonce = fresh_nonce()
    first = scan(client, door, ticket.code, nonce=nonce)
    db.session.get(Order, ticket.order_id).status = "paid"
    db.session.commit()
    again = scan(client, door, ticket.code, nonce=nonce)
    assert again.status_code == 409 and again.get_data() == first.get_data()
    assert rows(db, CheckIn) == 0 and rows(db, ScanAttempt) == 1


def test_nonce_is_scoped_to_the_organization(client, door, db):
    other_org = factories.organization()
    other_event = factories.event(other_org)
    other_tier = factories.tier(other_event)
    other_ticket = factories.ticket(
        factories.paid_order(other_event, [(other_tier, 1)]), other_tier, new_code()
    )
    other_token = factories.token(other_org, "door")
    db.session.commit()
    nonce = fresh_nonce()
    assert scan(client, door, door.ticket.code, nonce=nonce).status_code == 200
    theirs = scan(client, door, other_ticket.code, token=other_token, nonce=nonce)
    assert theirs.status_code == 200
    assert theirs.get_json()["ticket"]["code"] == other_ticket.code


def test_door_token_of_another_organization_learns_nothing(client, door, db):
    stranger_org = factories.organization()
    stranger = factories.token(stranger_org, "door")
    db.session.commit()
    theirs = scan(client, door, door.ticket.code, token=stranger)
    unknown = scan(client, door, new_code(), token=stranger)
    assert theirs.status_code == unknown.status_code == 409
    assert theirs.get_json().keys() == unknown.get_json().keys()
    assert theirs.get_json()["status"] == "invalid"
    assert "Ada" not in theirs.get_data(as_text=True)
    assert door.ticket.code not in theirs.get_data(as_text=True)
    assert rows(db, CheckIn) == 0
    logged = db.session.execute(
        select(ScanAttempt).where(ScanAttempt.organization_id == stranger_org.id)
    ).scalars()
    assert [a.ticket_id for a in logged] == [None, None]
    settle(db)
    # And the ticket still enters at its own door.
    assert scan(client, door, door.ticket.code).status_code == 200


def test_organizer_token_may_scan(client, door):
    response = scan(client, door, door.ticket.code, token=door.organizer_token)
    assert response.status_code == 200 and response.get_json()["status"] == "ok"


def test_scan_without_credentials_is_401(client, door):
    response = client.post("/api/v1/checkins", json={"code": door.ticket.code})
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"


def test_bad_input_is_422_with_field_errors_and_logs_nothing(client, door, db):
    cases = [
        {},
        {"code": ""},
        {"code": door.ticket.code, "surprise": 1},
        {"code": door.ticket.code, "event_id": "x"},
        {"code": door.ticket.code, "event_id": 10**30},
        {"code": 12},
        {"code": door.ticket.code, "nonce": "n" * 101},
        {"code": door.ticket.code, "nonce": "with space"},
    ]
    for payload in cases:
        response = client.post("/api/v1/checkins", json=payload, headers=door.headers())
        assert response.status_code == 422, payload
        assert response.get_json()["errors"], payload
    assert rows(db, ScanAttempt) == 0
