"""Offline scans sent in a batch: same decisions as a scan, earliest admission kept."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from tests.checkin.offline_support import ago, batch, paid_tickets, reservation
from tests.checkin.test_pages import login
from tests.support import factories
from tests.support.door import fresh_nonce, scan, settle
from ticketing.accounts.models import ApiToken
from ticketing.checkin.models import CheckIn, CheckinConflict
from ticketing.orders.models import Order
from ticketing.payments.models import ManualPayment
from ticketing.tickets.codes import new_code


def one(code, minutes_ago, **extra):
    return {"code": code, "nonce": fresh_nonce(), "scanned_at": ago(minutes=minutes_ago), **extra}


def standing(db, ticket):
    row = db.session.execute(
        select(CheckIn.gate, CheckIn.checked_in_at).where(
            CheckIn.ticket_id == ticket.id, CheckIn.undone_at.is_(None)
        )
    ).one()
    settle(db)  # the test's transaction would hold SQLite's write lock
    return row


def test_each_scan_is_decided_in_time_order_and_dated_when_scanned(client, door, db):
    sold = paid_tickets(door.event, door.tier, ["Grace Hopper"])
    (elsewhere,) = paid_tickets(door.other_event, factories.tier(door.other_event), ["Other"])
    settle(db)
    scans = [
        one(door.ticket.code, 10, gate="East"),
        one(door.ticket.code.lower(), 20, gate="West"),  # earlier: this one is the entry
        one(sold[0].code, 5),
        one(elsewhere.code, 5),
        one(new_code(), 5),
    ]
    response = batch(client, door, scans)
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert [r["nonce"] for r in results] == [s["nonce"] for s in scans]
    assert [r["status"] for r in results] == [
        "already_checked_in",
        "ok",
        "ok",
        "wrong_event",
        "invalid",
    ]
    assert [r["conflict"] for r in results] == [True, False, False, False, False]
    entry = standing(db, door.ticket)
    assert entry.gate == "West"
    assert abs(entry.checked_in_at - datetime.fromisoformat(scans[1]["scanned_at"])) < timedelta(
        seconds=1
    )


def test_a_repeated_nonce_returns_the_first_answer_and_changes_nothing(client, door, db):
    settle(db)
    scans = [one(door.ticket.code, 3)]
    first = batch(client, door, scans).get_json()["results"]
    again = batch(client, door, scans + scans).get_json()["results"]
    assert again == first + first
    assert first[0]["status"] == "ok"
    assert db.session.execute(select(func.count(CheckIn.id))).scalar_one() == 1


def test_the_earliest_admission_wins_even_when_it_arrives_later(client, door, db):
    phone_b = factories.token(door.org, "door", event_id=door.event.id)
    settle(db)
    late = batch(client, door, [one(door.ticket.code, 5, gate="B")], token=phone_b)
    assert late.get_json()["results"][0] == {
        "nonce": late.get_json()["results"][0]["nonce"],
        "status": "ok",
        "conflict": False,
        "checked_in_at": late.get_json()["results"][0]["checked_in_at"],
        "gate": "B",
    }
    early_scan = one(door.ticket.code, 30, gate="A")
    early = batch(client, door, [early_scan]).get_json()["results"][0]
    assert early["status"] == "ok" and early["conflict"] is True and early["gate"] == "A"
    assert standing(db, door.ticket).gate == "A"
    # A third, latest admission is the one refused; the earliest stays.
    third = batch(client, door, [one(door.ticket.code, 1, gate="C")]).get_json()["results"][0]
    assert third["status"] == "already_checked_in" and third["conflict"] is True
    assert third["gate"] == "A"
    conflicts = db.session.execute(select(CheckinConflict).order_by(CheckinConflict.id)).scalars()
    assert [(c.kept_gate, c.other_gate) for c in conflicts] == [("A", "B"), ("A", "C")]
    settle(db)
    # The replay of the moved scan still says ok with the conflict.
    replay = batch(client, door, [early_scan]).get_json()["results"][0]
    assert replay == early


def test_an_online_check_in_then_an_offline_copy_is_a_conflict(client, door, db):
    settle(db)
    assert scan(client, door, door.ticket.code, gate="Main").status_code == 200
    result = batch(client, door, [one(door.ticket.code, -1)]).get_json()["results"][0]
    assert result["status"] == "already_checked_in" and result["conflict"] is True


def test_collect_pays_the_reservation_and_lets_the_ticket_in(client, door, db):
    order, tickets = reservation(door.event, door.tier, quantity=2)
    settle(db)
    wrong = batch(client, door, [one(tickets[0].code, 4, collect_minor=1)]).get_json()
    assert wrong["results"][0]["status"] == "unpaid"
    assert wrong["results"][0]["error"] == "collect_refused"
    assert wrong["results"][0]["amount_due_minor"] == order.total_minor
    assert db.session.execute(select(func.count(ManualPayment.id))).scalar_one() == 0
    settle(db)
    paying = one(tickets[0].code, 3, collect_minor=order.total_minor)
    right = batch(client, door, [paying, one(tickets[1].code, 2)]).get_json()["results"]
    assert [r["status"] for r in right] == ["ok", "ok"]
    status = db.session.execute(select(Order.status).where(Order.id == order.id)).scalar_one()
    assert status == "paid"
    payment = db.session.execute(select(ManualPayment)).scalar_one()
    assert payment.amount_minor == order.total_minor and payment.method == "cash"
    assert payment.recorded_by_token_id is not None
    settle(db)
    # Sent again (the answer was lost): no second payment.
    assert batch(client, door, [paying]).get_json()["results"][0]["status"] == "ok"
    assert db.session.execute(select(func.count(ManualPayment.id))).scalar_one() == 1


def test_bad_batches_are_422_with_field_errors_and_change_nothing(client, door, db):
    settle(db)
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    cases = [
        {"scans": []},
        {"scans": [one(door.ticket.code, 1) for _ in range(1001)]},
        {"scans": [{"code": door.ticket.code, "nonce": "n1", "scanned_at": future}]},
        {"scans": [{"code": door.ticket.code, "nonce": "n2", "scanned_at": ago(days=30)}]},
        {"scans": [{"code": door.ticket.code, "nonce": "n3", "scanned_at": "2026-12-07T10:00"}]},
        {"scans": [{"code": door.ticket.code, "scanned_at": ago(minutes=1)}]},
        {"scans": [one(door.ticket.code, 1, collect_minor=-5)]},
        {"scans": "nope"},
    ]
    for body in cases:
        response = client.post(
            "/api/v1/checkins/batch",
            json={"event_id": door.event.id, **body},
            headers=door.headers(),
        )
        assert response.status_code == 422, body
        assert "scans" in response.get_json()["errors"]
    assert db.session.execute(select(func.count(CheckIn.id))).scalar_one() == 0


def test_batch_access(client, door, db):
    bound = factories.token(door.org, "door", event_id=door.other_event.id)
    rival = factories.token(factories.organization(), "door")
    settle(db)
    scans = [one(door.ticket.code, 1)]
    assert batch(client, door, scans, token=bound).status_code == 404
    assert batch(client, door, scans, token=rival).status_code == 404
    assert client.post("/api/v1/checkins/batch", json={}).status_code == 401
    assert batch(client, door, scans, token=door.organizer_token).status_code == 200
    link = factories.token(door.org, "door", event_id=door.event.id)
    row = db.session.execute(select(ApiToken).order_by(ApiToken.id.desc())).scalars().first()
    row.revoked_at = row.created_at
    settle(db)
    assert batch(client, door, [one(door.ticket.code, 1)], token=link).status_code == 401


def test_the_organizer_sees_conflicts_and_reaches_the_page_from_event_and_dashboard(
    client, door, db
):
    phone_b = factories.token(door.org, "door", event_id=door.event.id)
    settle(db)
    code = door.ticket.code
    batch(client, door, [one(code, 5, gate="North")], token=phone_b)
    batch(client, door, [one(code, 9, gate="South")])
    login(client, db, door.org, "organizer")
    page = client.get(f"/manage/events/{door.event.id}/checkins").get_data(as_text=True)
    section = page.split('id="conflicts"')[1].split("</section>")[0]
    assert "Ada Lovelace" in section and code in section
    assert section.index("South") < section.index("North")  # kept first, then the other
    assert "(device" in section
    link = f'href="/manage/events/{door.event.id}/checkins"'
    assert link in client.get(f"/manage/events/{door.event.id}/edit").get_data(as_text=True)
    dashboard = client.get(f"/manage/events/{door.event.id}/dashboard")
    assert link in dashboard.get_data(as_text=True)
