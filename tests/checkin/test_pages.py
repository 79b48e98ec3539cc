"""The scanner pages (login and device link) and the organizer's check-in list."""

import csv
import io
import re

from sqlalchemy import select

from tests.support import factories
from tests.support.door import scan, settle
from ticketing.accounts.models import ApiToken
from ticketing.checkin.models import CheckIn, ScanAttempt


def login(client, db, org, role):
    """A logged-in member of `org` (Flask-Login reads `_user_id` from the session)."""
    user = factories.member(org, role).user
    settle(db)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return user


def csrf_from(page: str, meta: bool = False) -> str:
    pattern = (
        r'name="csrf-token" content="([^"]+)"' if meta else r'name="csrf_token" value="([^"]+)"'
    )
    return re.search(pattern, page).group(1)


def test_scanner_page_needs_a_login(client, door):
    response = client.get("/door")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_door_user_picks_an_event_and_it_is_remembered(client, door, db):
    login(client, db, door.org, "door")
    picker = client.get("/door")
    assert picker.status_code == 200
    page = picker.get_data(as_text=True)
    assert "Benefit night" in page and "Second night" in page
    chosen = client.get(f"/door?event={door.event.id}")
    assert chosen.status_code == 200
    assert chosen.headers["Referrer-Policy"] == "no-referrer"
    assert f'data-event-id="{door.event.id}"' in chosen.get_data(as_text=True)
    again = client.get("/door").get_data(as_text=True)
    assert f'data-event-id="{door.event.id}"' in again
    assert 'data-timezone="Europe/Istanbul"' in again
    assert "qr-scanner-1.4.2/qr-scanner.umd.min.js" in again


def test_scanner_page_session_scans_with_the_csrf_token_from_its_meta_tag(client, door, db):
    user = login(client, db, door.org, "door")
    page = client.get(f"/door?event={door.event.id}").get_data(as_text=True)
    refused = client.post("/api/v1/checkins", json={"code": door.ticket.code})
    assert refused.status_code == 401
    accepted = client.post(
        "/api/v1/checkins",
        json={"code": door.ticket.code, "event_id": door.event.id},
        headers={"X-CSRFToken": csrf_from(page, meta=True)},
    )
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "ok"
    attempt = db.session.execute(select(ScanAttempt).where(ScanAttempt.result == "ok")).scalar_one()
    assert attempt.user_id == user.id and attempt.api_token_id is None


def test_device_link_opens_the_scanner_with_its_token_and_no_referrer(client, door, db):
    bound = factories.token(door.org, "door", event_id=door.event.id)
    settle(db)
    response = client.get(f"/door/device/{bound}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]
    page = response.get_data(as_text=True)
    assert f'data-token="{bound}"' in page and 'name="csrf-token"' not in page
    assert "Benefit night" in page


def test_device_link_refuses_unbound_organizer_and_unknown_tokens(client, door, db):
    unbound = factories.token(door.org, "door")
    organizer = factories.token(door.org, "organizer", event_id=door.event.id)
    settle(db)
    for token in (unbound, organizer, "tkt_nothing-like-this"):
        response = client.get(f"/door/device/{token}")
        assert response.status_code == 404
        assert "data-token" not in response.get_data(as_text=True)


def test_organizer_sees_who_is_in_and_undoes_a_checkin(client, door, db):
    scan(client, door, door.ticket.code, gate="North")
    organizer = login(client, db, door.org, "organizer")
    listing = client.get(f"/manage/events/{door.event.id}/checkins")
    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    assert "Ada Lovelace" in page and "North" in page and door.ticket.code in page
    checkin = db.session.execute(select(CheckIn)).scalar_one()
    settle(db)
    undo = client.post(
        f"/manage/events/{door.event.id}/checkins/{checkin.id}/undo",
        data={"csrf_token": csrf_from(page)},
    )
    assert undo.status_code == 302
    db.session.refresh(checkin)
    assert checkin.undone_at is not None and checkin.undone_by_id == organizer.id
    settle(db)
    assert scan(client, door, door.ticket.code).get_json()["status"] == "ok"


def test_undo_without_csrf_is_refused(client, door, db):
    checkin_id = scan(client, door, door.ticket.code).get_json()["checkin_id"]
    login(client, db, door.org, "organizer")
    response = client.post(f"/manage/events/{door.event.id}/checkins/{checkin_id}/undo")
    assert response.status_code == 400
    assert db.session.get(CheckIn, checkin_id).undone_at is None


def test_door_user_may_not_see_the_list_or_the_csv(client, door, db):
    login(client, db, door.org, "door")
    for url in (
        f"/manage/events/{door.event.id}/checkins",
        f"/manage/events/{door.event.id}/checkins.csv",
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "ada@example.test" not in response.get_data(as_text=True)


def test_another_organizations_list_is_404(client, door, db):
    login(client, db, factories.organization(), "organizer")
    assert client.get(f"/manage/events/{door.event.id}/checkins").status_code == 404


def test_csv_export_is_streamed_text_csv_with_every_checkin(client, door, db):
    scan(client, door, door.ticket.code, gate="=cmd|'/c calc'!A1")
    login(client, db, door.org, "organizer")
    response = client.get(f"/manage/events/{door.event.id}/checkins.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads it as UTF-8
    table = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(table) == 1
    (row,) = table
    assert row["ticket_code"] == door.ticket.code and row["holder_name"] == "Ada Lovelace"
    assert row["gate"].startswith("'=")  # not run as a formula by a spreadsheet
    assert row["checked_in_at"].endswith("+03:00")  # Istanbul time
    assert row["undone_at"] == ""


def test_csv_export_in_semicolons_keeps_turkish_and_cyrillic_text(client, door, db):
    scan(client, door, door.ticket.code, gate="Kapı İ; Вход")
    login(client, db, door.org, "organizer")
    response = client.get(
        f"/manage/events/{door.event.id}/checkins.csv", headers={"Accept-Language": "tr-TR"}
    )
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("checked_in_at;ticket_code;tier;")
    (row,) = csv.DictReader(io.StringIO("\n".join(lines)), delimiter=";")
    assert row["gate"] == "Kapı İ; Вход" and row["holder_name"] == "Ada Lovelace"


def test_organizer_makes_a_device_link_shown_once(client, door, db):
    login(client, db, door.org, "organizer")
    page = client.get(f"/manage/events/{door.event.id}/checkins").get_data(as_text=True)
    made = client.post(
        f"/manage/events/{door.event.id}/device-links", data={"csrf_token": csrf_from(page)}
    )
    assert made.status_code == 201  # the POST's own page: the link is never stored
    assert made.headers["Cache-Control"] == "no-store"
    shown = made.get_data(as_text=True)
    found = re.search(r'value="http[^"]*/door/device/([^"]+)"', shown)
    assert found, "the new link is shown once, right after it is made"
    token = found.group(1)
    stored = db.session.execute(
        select(ApiToken).where(ApiToken.role == "door", ApiToken.event_id.is_not(None))
    ).scalar_one()
    assert stored.event_id == door.event.id and stored.name.startswith("Door device link")
    settle(db)
    assert client.get(f"/door/device/{token}").status_code == 200
    later = client.get(f"/manage/events/{door.event.id}/checkins").get_data(as_text=True)
    assert token not in later
