"""Phones coming back online at once, sending overlapping batches over real HTTP."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import func, select

from tests.checkin.offline_support import paid_tickets
from tests.support import factories
from tests.support.door import settle
from tests.support.servers import LiveServer
from ticketing.checkin.models import CheckIn, CheckinConflict

pytestmark = pytest.mark.slow  # the app served over HTTP to several threads

TICKETS = 30


@pytest.fixture
def server(make_app, db):
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 8, "max_overflow": 2})
    with LiveServer(app) as live:
        yield live


def test_overlapping_batches_keep_each_tickets_earliest_admission(server, door, db):
    tier = factories.tier(door.event, capacity=TICKETS)
    tickets = paid_tickets(door.event, tier, [f"Guest {n}" for n in range(TICKETS)])
    phones = [factories.token(door.org, "door", event_id=door.event.id) for _ in range(3)]
    settle(db)
    base = datetime.now(UTC) - timedelta(hours=1)
    bodies = []
    for p in range(3):
        # Phone p let ticket n in at minute (n + 7 * p) % 3 ... : each ticket's earliest
        # admission is on a different phone, and each phone sends in its own order.
        scans = [
            {
                "code": t.code,
                "nonce": f"phone{p}-{n}",
                "gate": f"Gate {p}",
                "scanned_at": (base + timedelta(minutes=(n + p) % 3 * 10 + n)).isoformat(),
            }
            for n, t in enumerate(tickets)
        ]
        bodies.append({"event_id": door.event.id, "scans": scans})
    sends = [(0, bodies[0]), (1, bodies[1]), (2, bodies[2]), (0, bodies[0])]  # phone 0 resends
    barrier = threading.Barrier(len(sends))
    answers: list = [None] * len(sends)

    def send(index: int) -> None:
        phone, body = sends[index]
        with requests.Session() as http:
            barrier.wait(timeout=30)
            response = http.post(
                f"{server.url}/api/v1/checkins/batch",
                json=body,
                headers={"Authorization": f"Bearer {phones[phone]}"},
                timeout=90,
            )
            answers[index] = (response.status_code, response.json())

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [a[0] for a in answers] == [200] * 4, answers
    assert answers[0][1] == answers[3][1]  # the resend got the first answers
    for n, ticket in enumerate(tickets):
        earliest = min(range(3), key=lambda p: (n + p) % 3)
        kept = db.session.execute(
            select(CheckIn.gate, CheckIn.checked_in_at).where(
                CheckIn.ticket_id == ticket.id, CheckIn.undone_at.is_(None)
            )
        ).all()
        assert [row.gate for row in kept] == [f"Gate {earliest}"], n
    conflicts = db.session.execute(select(func.count(CheckinConflict.id))).scalar_one()
    assert conflicts == 2 * TICKETS
    total = db.session.execute(select(func.count(CheckIn.id))).scalar_one()
    assert total == TICKETS
    settle(db)
