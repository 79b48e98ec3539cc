"""CSV exports: streamed, with the header row and one row per order, ticket or entry."""

import csv
import io

import pytest

from tests.support.money import card_order
from tests.support.web import login_as
from ticketing.checkin.models import CheckIn
from ticketing.payments import ledger, manual
from ticketing.reports.exports import ATTENDEE_HEADER, LEDGER_HEADER, ORDER_HEADER

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


def export(client, shop, what):
    response = client.get(f"/manage/events/{shop.event.id}/export/{what}.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{shop.event.slug}-{what}.csv"'
    )
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_orders_csv_has_minor_and_major_amounts(client, shop, db):
    order = card_order(shop.event, shop.tier, 2, buyer="=HYPERLINK(evil)", email="eve@example.test")
    order.donation_minor, order.total_minor, order.refunded_minor = 1005, 6005, 2500
    order.status = "partially_refunded"
    db.session.commit()
    login_as(client, shop.organizer.user)

    rows = export(client, shop, "orders")

    assert rows[0] == ORDER_HEADER
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["id"] == str(order.id)
    assert row["buyer"] == "'=HYPERLINK(evil)"  # a formula is defused
    assert row["email"] == "eve@example.test"
    assert row["status"] == "partially_refunded" and row["source"] == "online"
    assert row["tickets"] == "2"
    assert (row["tickets_minor"], row["tickets_major"]) == ("5000", "50.00")
    assert (row["donation_minor"], row["donation_major"]) == ("1005", "10.05")
    assert (row["total_minor"], row["total_major"]) == ("6005", "60.05")
    assert (row["refunded_minor"], row["refunded_major"]) == ("2500", "25.00")
    assert row["currency"] == "USD"
    assert row["created"].endswith("+03:00")  # the event's zone, Europe/Istanbul


def test_attendees_csv_lists_every_ticket_with_its_check_in(client, shop, db):
    order = card_order(shop.event, shop.tier, 2, buyer="Ada Buyer")
    first, second = order.tickets
    db.session.add(CheckIn(ticket_id=first.id, event_id=shop.event.id, gate="North door"))
    db.session.commit()
    login_as(client, shop.organizer.user)

    rows = export(client, shop, "attendees")

    assert rows[0] == ATTENDEE_HEADER
    by_code = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_code) == {first.code, second.code}
    assert by_code[first.code]["tier"] == "Standard"
    assert by_code[first.code]["holder"] == "Ada Buyer"
    assert by_code[first.code]["order_id"] == str(order.id)
    assert by_code[first.code]["status"] == "valid"
    assert by_code[first.code]["gate"] == "North door"
    assert by_code[first.code]["checked_in_at"].endswith("+03:00")
    assert by_code[second.code]["checked_in_at"] == "" and by_code[second.code]["gate"] == ""


def test_ledger_csv_shows_each_entry_and_its_author(client, shop, db):
    order = card_order(shop.event, shop.tier, 1)
    sale = ledger.record(shop.event.id, "ticket_sale", 2500, "USD", order_id=order.id)
    cash = manual.record_donation(shop.event, amount_minor=1999, method="cash", note="tip jar",
                                  recorded_by_id=shop.organizer.user_id)  # fmt: skip
    manual.void(cash, reason="counted twice", voided_by_id=shop.organizer.user_id)
    db.session.commit()
    login_as(client, shop.organizer.user)

    rows = export(client, shop, "ledger")

    assert rows[0] == LEDGER_HEADER
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [(r["kind"], r["amount_minor"], r["amount_major"]) for r in body] == [
        ("ticket_sale", "2500", "25.00"),
        ("manual", "1999", "19.99"),
        ("manual", "-1999", "-19.99"),
    ]
    assert body[0]["id"] == str(sale.id) and body[0]["order_id"] == str(order.id)
    assert body[1]["note"] == "tip jar" and body[2]["note"] == "void: counted twice"
    assert body[1]["by"] == body[2]["by"] == shop.organizer.user.email
    assert body[0]["by"] == "" and body[0]["currency"] == "USD"


def test_exports_are_for_organizers_of_the_event(client, shop, db):
    url = f"/manage/events/{shop.event.id}/export/orders.csv"
    assert client.get(url).status_code == 302
    login_as(client, shop.door.user)
    assert client.get(url).status_code == 403
    login_as(client, shop.other_organizer.user)
    assert client.get(url).status_code == 404
    login_as(client, shop.organizer.user)
    assert client.get(f"/manage/events/{shop.event.id}/export/secrets.csv").status_code == 404
