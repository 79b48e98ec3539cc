"""CSV exports that Excel opens right under Russian, Ukrainian and Turkish
settings: UTF-8 with a byte-order mark, `;` between fields and `,` in amounts
(chosen with ?sep= or by the browser's language), read back with the csv module."""

import csv
import io
import re

import pytest

from tests.support.money import card_order
from tests.support.web import login_as
from ticketing.checkin.models import CheckIn
from ticketing.payments import manual

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied

BOM = b"\xef\xbb\xbf"


def read_back(response, separator: str) -> list[dict]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    body = response.get_data()
    assert body.startswith(BOM) and not body.startswith(BOM * 2)
    text = body.decode("utf-8-sig")
    assert csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;").delimiter == separator
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=separator))


@pytest.fixture
def sold(client, shop, db):
    order = card_order(shop.event, shop.tier, 1, buyer="Мария Петрова", email="m@example.test")
    order.donation_minor, order.total_minor = 1050, 3550
    turkish = card_order(shop.event, shop.tier, 1, buyer="İsmail Yıldız; Şükrü", email="i@e.test")
    evil = card_order(shop.event, shop.tier, 1, buyer="=SUM(A1;A2)", email="-1+1@e.test")
    manual.record_donation(
        shop.event, amount_minor=1999, method="cash", note="Пожертвование; bağış",
        recorded_by_id=shop.organizer.user_id,
    )  # fmt: skip
    db.session.add(CheckIn(ticket_id=order.tickets[0].id, event_id=shop.event.id, gate="Вход №1"))
    db.session.commit()
    login_as(client, shop.organizer.user)
    return order, turkish, evil


@pytest.mark.parametrize(
    ("query", "headers", "separator"),
    [
        ({"sep": "semicolon"}, {}, ";"),
        ({}, {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}, ";"),
        ({}, {"Accept-Language": "tr-TR"}, ";"),
        ({}, {"Accept-Language": "uk"}, ";"),
        ({}, {}, ","),
        ({}, {"Accept-Language": "en-US,ru;q=0.5"}, ","),
        ({"sep": "comma"}, {"Accept-Language": "ru-RU"}, ","),
    ],
)
def test_orders_read_back_with_names_amounts_and_formulas_defused(
    client, shop, sold, query, headers, separator
):
    order, turkish, evil = sold
    url = f"/manage/events/{shop.event.id}/export/orders.csv"
    rows = {
        int(r["id"]): r
        for r in read_back(client.get(url, query_string=query, headers=headers), separator)
    }
    assert rows[order.id]["buyer"] == "Мария Петрова"
    assert rows[turkish.id]["buyer"] == "İsmail Yıldız; Şükrü"  # quoted, not split
    assert rows[evil.id]["buyer"] == "'=SUM(A1;A2)"
    assert rows[evil.id]["email"] == "'-1+1@e.test"
    mark = "," if separator == ";" else "."
    assert rows[order.id]["donation_major"] == f"10{mark}50"
    assert rows[order.id]["total_major"] == f"35{mark}50"
    assert rows[order.id]["total_minor"] == "3550"  # integers stay as they are


def test_attendees_and_checkins_read_back_in_cyrillic_and_turkish(client, shop, sold):
    order, turkish, _ = sold
    attendees = read_back(
        client.get(f"/manage/events/{shop.event.id}/export/attendees.csv?sep=semicolon"), ";"
    )
    holders = {row["holder"]: row for row in attendees}
    assert holders["Мария Петрова"]["gate"] == "Вход №1"
    assert "İsmail Yıldız; Şükrü" in holders
    ledger = read_back(
        client.get(
            f"/manage/events/{shop.event.id}/export/ledger.csv", headers={"Accept-Language": "tr"}
        ),
        ";",
    )
    (cash,) = [row for row in ledger if row["amount_minor"] == "1999"]
    assert cash["amount_major"] == "19,99" and cash["note"] == "Пожертвование; bağış"


def test_dashboard_links_to_the_semicolon_exports(client, shop, sold):
    html = client.get(f"/manage/events/{shop.event.id}/dashboard").get_data(as_text=True)
    links = re.findall(r'href="([^"]*/export/orders\.csv[^"]*)"', html)
    semicolon = [link for link in links if "sep=semicolon" in link]
    assert len(links) == 2 and len(semicolon) == 1
    rows = read_back(client.get(semicolon[0].replace("&amp;", "&")), ";")
    assert "Мария Петрова" in {row["buyer"] for row in rows}
