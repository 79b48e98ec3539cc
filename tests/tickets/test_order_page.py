"""The buyer's private order page, its calendar file, and the QR image URLs."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.tickets import CONCERT_START, decode_png
from ticketing.orders.models import Order
from ticketing.tickets.codes import grouped_code
from ticketing.tickets.services import revoke_tickets

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


def _page(client, path):
    response = client.get(path)
    return response, response.get_data(as_text=True)


def test_order_page_shows_event_time_venue_and_every_ticket(client, make_paid_order):
    paid = make_paid_order(quantities=(2, 1), buyer="Zeynep Kaya", donation_minor=1000)
    response, html = _page(client, paid.path + "?paid=1")
    assert response.status_code == 200
    assert "Songs for Shelter" in html and "Moda Sahnesi, Kadıköy" in html
    # 16:30 UTC is 19:30 in Istanbul, and the page says so in the event's zone.
    assert "19:30" in html and "16:30" not in html
    assert "Thank you! Your payment went through." in html
    assert html.count('class="ticket"') == 3 and "REVOKED" not in html
    for code in paid.codes:
        assert grouped_code(code) in html
        assert f"/tickets/{code}/qr.svg" in html
    assert "Tier 1" in html and "Tier 2" in html and html.count("Zeynep Kaya") >= 3
    assert "Donation" in html and "$10.00" in html
    assert f"/orders/{paid.order_id}/{paid.token}/event.ics" in html
    # The link is a key: not cached, not sent as a referrer, not indexed.
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_wrong_missing_token_and_missing_order_get_the_same_404(client, make_paid_order):
    paid = make_paid_order()
    wrong = client.get(f"/orders/{paid.order_id}/ord_{'x' * 43}")
    missing = client.get(f"/orders/{paid.order_id}")
    nobody = client.get(f"/orders/{paid.order_id + 999}/{paid.token}")
    other_orders_token = client.get(f"/orders/{paid.order_id + 999}/ord_{'x' * 43}")
    ics = client.get(f"/orders/{paid.order_id}/ord_{'x' * 43}/event.ics")
    bodies = {r.get_data(as_text=True) for r in (wrong, missing, nobody, other_orders_token)}
    assert {r.status_code for r in (wrong, missing, nobody, other_orders_token, ics)} == {404}
    assert len(bodies) == 1
    (body,) = bodies
    assert "This ticket link is not valid" in body and paid.codes[0] not in body


def test_refunded_order_shows_its_tickets_revoked(client, db, make_paid_order):
    paid = make_paid_order(quantities=(2,))
    order = db.session.get(Order, paid.order_id)
    order.status, order.refunded_minor = "refunded", order.total_minor
    revoke_tickets(order)
    db.session.commit()
    response, html = _page(client, paid.path)
    assert response.status_code == 200
    assert 'data-status="refunded"' in html and "Refunded" in html
    assert html.count('class="ticket ticket-revoked"') == 2
    assert html.count("REVOKED: not valid for entry") == 2
    # The image is still served (the page and the door say revoked, not a broken image).
    image = client.get(f"/tickets/{paid.codes[0]}/qr.png")
    assert image.status_code == 200 and decode_png(image.data).text == paid.codes[0]


def test_pending_order_says_it_waits_for_payment(client, db, make_paid_order):
    paid = make_paid_order(quantities=(1,))
    order = db.session.get(Order, paid.order_id)
    order.status = "pending"
    for ticket in order.tickets:
        db.session.delete(ticket)
    db.session.commit()
    _, html = _page(client, paid.path)
    assert "Waiting for payment" in html and "once the payment is confirmed" in html
    assert 'class="ticket"' not in html


def _parse_ics(text: str) -> dict[str, str]:
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    lines = unfolded.split("\r\n")[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    inside = lines[lines.index("BEGIN:VEVENT") + 1 : lines.index("END:VEVENT")]
    return dict(line.split(":", 1) for line in inside)


def test_calendar_file_parses_with_the_start_in_utc(client, make_paid_order):
    long_venue = "Moda Sahnesi; Kadıköy, İstanbul — " + "a very long address " * 6
    paid = make_paid_order(venue=long_venue, ends_at=CONCERT_START + timedelta(hours=2))
    response = client.get(paid.path + "/event.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.data
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    fields = _parse_ics(raw.decode())
    assert fields["DTSTART"] == "20261219T163000Z"
    start = datetime.strptime(fields["DTSTART"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert start == CONCERT_START
    assert fields["DTEND"] == "20261219T183000Z"
    assert fields["SUMMARY"] == "Songs for Shelter"
    unescaped = fields["LOCATION"].replace("\\;", ";").replace("\\,", ",")
    assert unescaped == long_venue
    assert re.fullmatch(r"\d{8}T\d{6}Z", fields["DTSTAMP"])
    assert fields["UID"].startswith(f"event-{paid.event_id}-order-{paid.order_id}@")
    # The calendar entry may be shared: it carries the public event page, not the ticket link.
    assert paid.token not in raw.decode()


def test_qr_images_are_cacheable_and_answer_304(client, make_paid_order):
    paid = make_paid_order(quantities=(1,))
    code = paid.codes[0]
    for suffix, mimetype in (("svg", "image/svg+xml"), ("png", "image/png")):
        first = client.get(f"/tickets/{code}/qr.{suffix}")
        assert first.status_code == 200 and first.mimetype == mimetype
        assert first.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        etag = first.headers["ETag"]
        again = client.get(f"/tickets/{code}/qr.{suffix}", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == etag
        stale = client.get(f"/tickets/{code}/qr.{suffix}", headers={"If-None-Match": '"old"'})
        assert stale.status_code == 200 and stale.data == first.data
    png = client.get(f"/tickets/{code}/qr.png")
    assert decode_png(png.data).text == code
    svg = client.get(f"/tickets/{code}/qr.svg")
    assert svg.data.startswith(b"<svg") and code.encode() not in svg.data


def test_unknown_code_image_is_404(client, make_paid_order):
    paid = make_paid_order(quantities=(1,))
    unknown = "A" * 26
    assert client.get(f"/tickets/{unknown}/qr.svg").status_code == 404
    assert client.get(f"/tickets/{unknown}/qr.png").status_code == 404
    # Only the canonical spelling is an image URL (one cache entry per code).
    assert client.get(f"/tickets/{paid.codes[0].lower()}/qr.png").status_code == 404
