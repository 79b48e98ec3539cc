"""Two (or fifty) phones scanning one ticket at the same instant, over real HTTP.

Each thread has its own HTTP connection, and the server its own database
connection per request (the pool is wide enough for all of them), so the
database alone decides who gets in.
"""

import threading

import pytest
import requests

from tests.support import factories
from tests.support.database import rows
from tests.support.door import fresh_nonce
from tests.support.reservations import codes, reserved_order
from tests.support.servers import LiveServer
from ticketing.checkin.models import CheckIn, ScanAttempt
from ticketing.orders.models import Order
from ticketing.payments.models import LedgerEntry, ManualPayment
from ticketing.tickets.models import Ticket

pytestmark = pytest.mark.slow  # the app served over HTTP to many threads

SCANNERS = 50


@pytest.fixture
def wide_server(make_app, db):
    app = make_app(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": SCANNERS, "max_overflow": 5, "pool_timeout": 60}
    )
    with LiveServer(app) as server:
        yield server


def race(
    url: str, payloads: list[dict], headers: dict, path: str = "/api/v1/checkins"
) -> list[tuple[int, dict]]:
    """Send every payload at once (a barrier releases all threads together)."""
    barrier = threading.Barrier(len(payloads))
    answers: list = [None] * len(payloads)

    def scanner(index: int) -> None:
        with requests.Session() as http:
            barrier.wait(timeout=30)
            response = http.post(f"{url}{path}", json=payloads[index], headers=headers, timeout=60)
            answers[index] = (response.status_code, response.json())

    threads = [threading.Thread(target=scanner, args=(i,)) for i in range(len(payloads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert all(answer is not None for answer in answers), "a scanner got no answer"
    return answers


def _fifty_scans_give_exactly_one_ok(wide_server, door, db):
    payloads = [
        {"code": door.ticket.code, "nonce": fresh_nonce(), "gate": f"gate-{i}"}
        for i in range(SCANNERS)
    ]
    answers = race(wide_server.url, payloads, door.headers())
    statuses = sorted(body["status"] for _, body in answers)
    assert statuses.count("ok") == 1
    assert statuses.count("already_checked_in") == SCANNERS - 1
    assert sorted({code for code, _ in answers}) == [200, 409]
    (winner,) = [body for _, body in answers if body["status"] == "ok"]
    for _, body in answers:
        if body["status"] == "already_checked_in":
            assert body["first_checked_in_at"] == winner["checked_in_at"]
            assert body["gate"] == winner["gate"]
    assert rows(db, CheckIn, ticket_id=door.ticket.id) == 1
    assert rows(db, ScanAttempt, ticket_id=door.ticket.id) == SCANNERS


def test_fifty_concurrent_scans_of_one_ticket_give_exactly_one_ok(wide_server, door, db):
    """Runs on SQLite and, in the TEST_DATABASE_URL pass, on PostgreSQL."""
    _fifty_scans_give_exactly_one_ok(wide_server, door, db)


def test_the_same_nonce_sent_twenty_times_at_once_gets_one_answer(wide_server, door, db):
    nonce = fresh_nonce()
    payloads = [{"code": door.ticket.code, "nonce": nonce}] * 20
    answers = race(wide_server.url, payloads, door.headers())
    assert {code for code, _ in answers} == {200}
    assert all(body == answers[0][1] for _, body in answers)
    assert answers[0][1]["status"] == "ok"
    assert rows(db, ScanAttempt, nonce=nonce) == 1
    assert rows(db, CheckIn, ticket_id=door.ticket.id) == 1


COLLECTORS = 20


def test_twenty_scanners_collecting_one_reservation_record_one_payment(wide_server, door, db):
    """The order lock decides: one cash payment, one admission, clean refusals for the rest.

    The scanners hold the reservation's four tickets (five phones each), so a
    loser may have scanned the winner's ticket (already_checked_in) or another
    one of the now paid order (422, nothing due: it does not enter without a new scan).
    """
    tier = factories.tier(door.event, name="Door pay", price_minor=30_000)
    order = reserved_order(door.event, [(tier, 4)], buyer="Nino Beridze")
    order_codes = codes(order)
    db.session.commit()
    payloads = [
        {"code": order_codes[i % 4], "nonce": fresh_nonce(), "collect_minor": 120_000}
        for i in range(COLLECTORS)
    ]
    answers = race(wide_server.url, payloads, door.headers())
    statuses = [body.get("status") or body["code"] for _, body in answers]
    assert statuses.count("ok") == 1, statuses
    assert set(statuses) <= {"ok", "already_checked_in", "validation_error"}, statuses
    assert {code for code, _ in answers} <= {200, 409, 422}
    assert rows(db, ManualPayment, order_id=order.id) == 1
    assert rows(db, LedgerEntry, order_id=order.id) == 1
    assert rows(db, CheckIn, event_id=door.event.id) == 1
    assert rows(db, Order, id=order.id, status="paid", paid_minor=120_000) == 1
    assert rows(db, Ticket, order_id=order.id, status="valid") == 4


def test_door_sales_at_once_never_sell_more_than_the_tier_holds(wide_server, door, db):
    tier = factories.tier(door.event, name="Five left", price_minor=10_000, capacity=5)
    db.session.commit()
    payloads = [{"ticket_type_id": tier.id, "quantity": 1} for _ in range(12)]
    path = f"/api/v1/events/{door.event.id}/door-sales"
    answers = race(wide_server.url, payloads, door.headers(), path=path)
    assert sorted(code for code, _ in answers) == [201] * 5 + [409] * 7
    assert all(body["code"] == "sold_out" for code, body in answers if code == 409)
    assert rows(db, ManualPayment, event_id=door.event.id, kind="tickets") == 5
    assert rows(db, Ticket, ticket_type_id=tier.id) == 5
    assert rows(db, CheckIn, event_id=door.event.id) == 5


def test_one_door_sale_sent_eight_times_at_once_with_its_nonce_sells_once(wide_server, door, db):
    """A phone re-sending a sale whose answer it lost, racing itself: the nonce decides."""
    tier = factories.tier(door.event, name="Re-sent", price_minor=10_000, capacity=20)
    db.session.commit()
    payloads = [{"ticket_type_id": tier.id, "quantity": 2, "nonce": "sale-once"}] * 8
    path = f"/api/v1/events/{door.event.id}/door-sales"
    answers = race(wide_server.url, payloads, door.headers(), path=path)
    assert {code for code, _ in answers} == {201}
    assert len({body["order_id"] for _, body in answers}) == 1
    assert rows(db, ManualPayment, event_id=door.event.id, kind="tickets") == 1
    assert rows(db, Ticket, ticket_type_id=tier.id) == 2
    assert rows(db, CheckIn, event_id=door.event.id) == 2
