"""The buy page offers the event's ways to pay in plain words with the real
total, shows the total without JavaScript ("Update total"), sums up errors
on top, and a checkout left unpaid can be reserved instead."""

import re

import pytest

from tests.support import factories as f
from tests.support.web import csrf_token
from ticketing.extensions import db as _db
from ticketing.orders.models import Order


@pytest.fixture
def hall(db, org):
    event = f.event(org, payment_methods=["card", "door", "transfer"],
                    transfer_instructions="IBAN DE00 1234")  # fmt: skip
    f.tier(event, name="Standard", price_minor=2500, capacity=10)
    db.session.commit()
    return event


def post(client, event, **fields):
    page = client.get(f"/events/{event.slug}")
    return client.post(
        f"/events/{event.slug}/buy", data={"csrf_token": csrf_token(page.data), **fields}
    )


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.get_data(as_text=True)))


def test_the_ways_to_pay_in_plain_words(client, hall):
    page = text(client.get(f"/events/{hall.slug}"))
    assert "No card? Reserve now and pay $0.00 in cash at the door" in page
    assert "Reserve now and pay $0.00 by bank transfer" in page
    assert "Pay $0.00 by card now" in page


def test_update_total_without_javascript_keeps_what_was_typed(client, hall):
    tier = hall.ticket_types[0]
    answer = post(client, hall, action="update", donation="5", buyer_name="Ada",
                  payment_method="door", **{f"qty_{tier.id}": "2"})  # fmt: skip
    assert answer.status_code == 200
    page = text(answer)
    assert "Total: $55.00" in page
    assert "No card? Reserve now and pay $55.00 in cash at the door" in page
    html = answer.get_data(as_text=True)
    assert 'value="2" selected' in html and 'value="Ada"' in html
    assert re.search(r'value="door"\s+checked', html)
    assert "error-summary" not in html  # nothing was submitted yet
    assert _db.session.query(Order).count() == 0


def test_a_failed_submit_sums_up_its_errors_on_top_with_links(client, hall):
    tier = hall.ticket_types[0]
    answer = post(client, hall, buyer_name="", buyer_email="nope",
                  payment_method="door", **{f"qty_{tier.id}": "2"})  # fmt: skip
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    summary = html[
        html.index('id="error-summary"') : html.index("</div>", html.index("error-summary"))
    ]
    assert (
        "autofocus"
        in html[html.index('<div class="error-summary') : html.index('id="error-summary"') + 200]
    )
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert [target for target, _ in links] == ["buyer_name", "buyer_email"]
    assert 'id="buyer_name"' in html and 'id="buyer_email"' in html


def test_a_way_the_event_does_not_take_is_an_error_on_the_choice(client, db, org):
    event = f.event(org, payment_methods=["card", "door"])
    tier = f.tier(event, price_minor=2500, capacity=10)
    db.session.commit()
    answer = post(client, event, buyer_name="Ada", buyer_email="ada@example.test",
                  payment_method="transfer", **{f"qty_{tier.id}": "1"})  # fmt: skip
    assert answer.status_code == 422
    assert 'href="#payment_method-0"' in answer.get_data(as_text=True)


def test_reserving_from_the_page_shows_the_reservation(client, hall):
    tier = hall.ticket_types[0]
    answer = post(client, hall, buyer_name="Ada", buyer_email="ada@example.test",
                  payment_method="door", **{f"qty_{tier.id}": "2"})  # fmt: skip
    assert answer.status_code == 303
    order_page = text(client.get(answer.headers["Location"]))
    assert "Unpaid: $50.00 due at the door" in order_page
    assert "Reserved, not paid yet" in order_page


def test_a_checkout_left_unpaid_is_reserved_instead(shop, db, hall):
    import requests

    tier = hall.ticket_types[0]
    created = shop.buy(hall.id, [{"ticket_type_id": tier.id, "quantity": 2}]).json()
    assert created["status"] == "pending"
    http = requests.Session()
    cancel = http.get(
        f"{shop.url}/checkout/{created['id']}/cancel?token={created['access_token']}", timeout=30
    )
    page = re.sub(r"\s+", " ", cancel.text)
    assert "Reserve instead and pay $50.00 in cash at the door" in page
    assert "Reserve instead and pay $50.00 by bank transfer" in page
    reserved = http.post(
        f"{shop.url}/checkout/{created['id']}/reserve?token={created['access_token']}",
        data={"csrf_token": csrf_token(cancel.text), "payment_method": "transfer"},
        timeout=30,
    )
    assert reserved.status_code == 200 and "/orders/" in reserved.url
    assert "R-" in reserved.text and "IBAN DE00 1234" in reserved.text
    order = shop.order(created)
    assert order["status"] == "reserved" and order["amount_due_minor"] == 5000
    assert order["payment_method"] == "transfer"
    assert [t["status"] for t in order["tickets"]] == ["unpaid", "unpaid"]
    again = http.post(
        f"{shop.url}/checkout/{created['id']}/reserve?token={created['access_token']}",
        data={"csrf_token": csrf_token(cancel.text), "payment_method": "door"},
        timeout=30,
    )
    assert "cannot be reserved instead" in again.text
    assert shop.order(created)["payment_method"] == "transfer"
