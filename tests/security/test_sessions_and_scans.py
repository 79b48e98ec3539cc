"""Issue 13, finding 7 (part): logout ends the session on the server, scan
nonces belong to one device and event, and a device link's token never
travels in the session cookie."""

import re

import pytest
from sqlalchemy import func, select

from tests.support import factories
from tests.support.door import Door, build_door, fresh_nonce, scan, settle
from tests.support.web import csrf_token, login, logout
from ticketing.accounts.services import issue_token
from ticketing.checkin.models import ScanAttempt


@pytest.fixture
def door(db) -> Door:
    """The door tests' world (tests/support/door.py), not this folder's door member."""
    return build_door(db)


def session_cookie(app, client) -> str:
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None, "no session cookie"
    return cookie.value


def with_cookie(app, value: str):
    other = app.test_client()
    other.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), value)
    return other


def test_a_cookie_kept_from_before_logout_opens_nothing(app, client, team):
    assert login(client, "door@example.test").status_code == 302
    assert client.get("/door").status_code == 200
    stolen = session_cookie(app, client)

    assert logout(client).status_code == 302

    replayed = with_cookie(app, stolen).get("/door")
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]


def test_logging_in_again_works_and_the_old_cookie_stays_dead(app, client, team):
    login(client, "organizer@example.test")
    stolen = session_cookie(app, client)
    logout(client)

    assert login(client, "organizer@example.test").status_code == 302
    assert client.get("/manage/events").status_code == 200
    assert with_cookie(app, stolen).get("/manage/events").status_code == 302


def test_a_logout_ends_the_cookie_for_the_api_too(app, client, team):
    login(client, "organizer@example.test")
    stolen = session_cookie(app, client)
    logout(client)
    response = with_cookie(app, stolen).get("/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_nonce_from_another_event_does_not_get_that_events_answer(client, door, db):
    nonce = fresh_nonce()
    first = scan(client, door, door.ticket.code, event_id=door.event.id, nonce=nonce)
    assert first.status_code == 200 and first.get_json()["ticket"]["holder_name"]
    member = factories.member(door.org, "door")
    _, other_event_device = issue_token(member, "door", event_id=door.other_event.id)
    settle(db)

    replay = scan(client, door, "NOT-A-TICKET", token=other_event_device, nonce=nonce)

    assert replay.status_code == 409
    body = replay.get_json()
    assert body["status"] == "invalid" and "ticket" not in body
    assert "Ada Lovelace" not in replay.get_data(as_text=True)


def test_a_nonce_from_another_device_does_not_get_its_answer(client, door, db):
    nonce = fresh_nonce()
    assert scan(client, door, door.ticket.code, nonce=nonce).status_code == 200
    other_device = factories.token(door.org, "door")
    settle(db)

    replay = scan(client, door, "NOT-A-TICKET", token=other_device, nonce=nonce)

    assert replay.status_code == 409 and replay.get_json()["status"] == "invalid"
    assert "Ada Lovelace" not in replay.get_data(as_text=True)


def test_the_same_device_still_gets_its_first_answer_back(client, door, db):
    nonce = fresh_nonce()
    first = scan(client, door, door.ticket.code, event_id=door.event.id, nonce=nonce)
    again = scan(client, door, door.ticket.code, event_id=door.event.id, nonce=nonce)
    assert first.status_code == again.status_code == 200
    assert first.get_data() == again.get_data()
    settle(db)
    logged = select(func.count()).select_from(ScanAttempt).where(ScanAttempt.nonce == nonce)
    assert db.session.execute(logged).scalar() == 1


@pytest.fixture
def organizer_client(served_app, door, db):
    client = served_app.test_client()
    user = factories.member(door.org, "organizer").user
    settle(db)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client


def test_a_new_device_link_is_shown_but_never_put_in_the_cookie(
    served_app, organizer_client, door, db
):
    client = organizer_client
    page = client.get(f"/manage/events/{door.event.id}/checkins").get_data(as_text=True)
    made = client.post(
        f"/manage/events/{door.event.id}/device-links", data={"csrf_token": csrf_token(page)}
    )
    shown = made.get_data(as_text=True)
    if made.status_code == 302:  # the old way: read back through the session
        shown = client.get(made.headers["Location"]).get_data(as_text=True)
    token = re.search(r'value="http[^"]*/door/device/([^"]+)"', shown).group(1)

    serializer = served_app.session_interface.get_signing_serializer(served_app)
    for header in made.headers.getlist("Set-Cookie"):
        value = re.match(r"session=([^;]*)", header)
        assert token not in header
        if value and value.group(1):
            assert token not in repr(serializer.loads(value.group(1)))
    assert token not in repr(serializer.loads(session_cookie(served_app, client)))
    assert made.headers.get("Cache-Control") == "no-store"
