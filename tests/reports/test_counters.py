"""The running counters (kept by triggers) always equal a from-scratch recount.

Totals, the dashboard's tier figures and its chart read `event_counters`
instead of counting rows; these tests make every kind of write the product
does (sales, refunds, cash, voids, door sales, check-ins, undos, reissues,
direct rows) and compare the counters with a recount of the rows.
"""

import threading
from datetime import UTC, datetime

from sqlalchemy import select

from tests.support.money import card_order
from tests.support.web import bearer
from ticketing.accounts.auth import Principal
from ticketing.checkin import services as checkin
from ticketing.checkin import undoing
from ticketing.checkin.models import CheckIn
from ticketing.events import counters
from ticketing.events.models import EventCounter
from ticketing.events.totals import event_totals
from ticketing.extensions import db as _db
from ticketing.orders import door as door_sales
from ticketing.orders.refund_records import apply_refund
from ticketing.payments import ledger, manual
from ticketing.reports import queries
from ticketing.tickets.services import reissue_ticket


def assert_counters_match(db, event) -> dict:
    conn = db.session.connection()  # SQLite: the session may hold the write lock
    stored = counters.stored(conn, event.id)
    fresh = counters.recounted(conn, event.id)
    assert stored == fresh
    return fresh


def door_principal(shop) -> Principal:
    return Principal(shop.door.user_id, shop.org.id, "door")


def sell(shop, quantity: int, donation: int = 0, fee: int = 0):
    order = card_order(shop.event, shop.tier, quantity)
    cur = shop.event.currency
    ledger.record(shop.event.id, "ticket_sale", 2500 * quantity, cur, order_id=order.id)
    if donation:
        ledger.record(shop.event.id, "donation", donation, cur, order_id=order.id)
    if fee:
        ledger.record(shop.event.id, "fee", fee, cur, order_id=order.id)
    return order


def test_counters_equal_a_recount_after_every_kind_of_write(client, shop, db):
    first = sell(shop, 3, donation=1000, fee=120)
    second = sell(shop, 2, fee=90)
    third = sell(shop, 1)
    db.session.commit()
    apply_refund(second, second.total_minor)  # full: its 2 tickets are revoked
    apply_refund(third, 1000)  # partial: its ticket stays valid
    cash = manual.record_donation(shop.event, amount_minor=12_345, method="cash",
                                  recorded_by_id=shop.organizer.user_id)  # fmt: skip
    door_sale = door_sales.record_door_sale(
        shop.event, ticket_type_id=shop.tier.id, quantity=2, amount_minor=None,
        method="cash", note="", buyer_name="Door", buyer_email="",
        recorded_by_id=shop.organizer.user_id,
    )  # fmt: skip
    # Money in another currency never counts in this event's totals.
    ledger.record(shop.event.id, "manual", 999, "EUR")
    db.session.commit()
    manual.void(cash, reason="typo", voided_by_id=shop.organizer.user_id)
    door_sales.void(door_sale, reason="wrong tier", voided_by_id=shop.organizer.user_id)
    db.session.commit()

    door = door_principal(shop)
    codes = [ticket.code for ticket in first.tickets]
    for code in codes:
        checkin.scan(door, checkin.ScanRequest(code=code, gate="North"))
    checkin.scan(door, checkin.ScanRequest(code=codes[0], gate="North"))  # a repeat
    db.session.commit()
    standing = db.session.execute(
        select(CheckIn).where(CheckIn.ticket_id == first.tickets[1].id)
    ).scalar_one()
    undoing.undo(standing, door)
    replacement = reissue_ticket(first.tickets[2])  # its check-in stays with the old ticket
    db.session.add(CheckIn(ticket_id=third.tickets[0].id, event_id=shop.event.id, gate="S"))
    db.session.commit()

    fresh = assert_counters_match(db, shop.event)
    totals = event_totals(shop.event)
    # first: 3 (one reissued: still 3), second: refunded, third: 1, door sale: voided.
    assert totals["tickets_sold"] == fresh["tickets_sold"] == 3 + 1
    assert replacement.status == "valid"
    assert totals["tickets_checked_in"] == fresh["checked_in"] == 3
    assert totals["tickets_minor"] == 2500 * 6
    assert totals["donations_minor"] == 1000
    assert totals["fees_minor"] == 210
    assert totals["refunds_minor"] == 5000 + 1000
    assert totals["manual_minor"] == 0  # both cash records voided; EUR not counted
    assert totals["raised_minor"] == 2500 * 6 + 1000 - 6000
    api = client.get(f"/api/v1/events/{shop.event.id}/totals", headers=bearer(shop.organizer_token))
    assert api.get_json() == {**totals, "reserved_unpaid_minor": 0}


def test_dashboard_tier_figures_and_chart_come_from_the_counters(shop, db):
    order = sell(shop, 4, donation=500)
    ledger.record(shop.event.id, "refund", 2500, shop.event.currency, order_id=order.id)
    db.session.commit()
    checkin.scan(door_principal(shop), checkin.ScanRequest(code=order.tickets[0].code))
    db.session.commit()

    (row,) = queries.tier_rows(shop.event)
    assert (row.sold, row.checked_in, row.held) == (4, 1, 0)
    hours = queries.raised_by_utc_hour(shop.event)
    assert [total for _, total in hours] == [10_000 + 500 - 2500]
    this_hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    assert hours[0][0] == this_hour
    assert_counters_match(db, shop.event)


def test_recount_repairs_counters_after_a_load_that_bypassed_them(shop, db):
    sell(shop, 2, fee=50)
    db.session.commit()
    db.session.execute(EventCounter.__table__.delete())
    db.session.commit()
    assert event_totals(shop.event)["tickets_sold"] == 0

    counters.recount(db.session.connection(), shop.event.id)
    db.session.commit()

    assert event_totals(shop.event)["tickets_sold"] == 2
    assert event_totals(shop.event)["fees_minor"] == 50
    assert_counters_match(db, shop.event)


def test_concurrent_scanners_are_all_counted(app, shop, db):
    """Sixteen phones at once: on PostgreSQL they land on different shard rows."""
    order = sell(shop, 16)
    db.session.commit()
    codes = [ticket.code for ticket in order.tickets]
    door = door_principal(shop)
    db.session.commit()  # SQLite: let go of the write lock before the phones scan
    answers = []

    def scan(code):
        with app.app_context():
            answers.append(checkin.scan(door, checkin.ScanRequest(code=code)).http_status)
            _db.session.commit()

    threads = [threading.Thread(target=scan, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [200] * 16
    assert event_totals(shop.event)["tickets_checked_in"] == 16
    fresh = assert_counters_match(db, shop.event)
    assert fresh["checked_in"] == 16
