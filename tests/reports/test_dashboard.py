"""The organizer's dashboard: figures formatted right, tiers, search, access, cash forms."""

import re

import pytest
from sqlalchemy import select

from tests.support import factories
from tests.support.money import card_order
from tests.support.web import csrf_token, login_as
from ticketing.checkin.models import CheckIn
from ticketing.events.totals import event_totals
from ticketing.payments import ledger, manual
from ticketing.payments.models import LedgerEntry

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


def dashboard_url(shop) -> str:
    return f"/manage/events/{shop.event.id}/dashboard"


def total_shown(html: str, key: str) -> str:
    found = re.findall(rf'data-total="{key}">([^<]*)<', html)
    assert found, f"{key} not on the page"
    return found[0]


def sell_and_record(shop, db):
    """2 card tickets ($50.00), a $10.00 card donation, $1.75 fees, $123.45 cash, $25.00 back."""
    order = card_order(shop.event, shop.tier, 2, buyer="Zara Quinn", email="zara@example.test")
    cur = shop.event.currency
    ledger.record(shop.event.id, "ticket_sale", 5000, cur, order_id=order.id)
    ledger.record(shop.event.id, "donation", 1000, cur, order_id=order.id)
    ledger.record(shop.event.id, "fee", 175, cur, order_id=order.id)
    ledger.record(shop.event.id, "refund", 2500, cur, order_id=order.id)
    manual.record_donation(shop.event, amount_minor=12_345, method="cash",
                           recorded_by_id=shop.organizer.user_id)  # fmt: skip
    db.session.add(CheckIn(ticket_id=order.tickets[0].id, event_id=shop.event.id, gate="North"))
    db.session.commit()
    return order


def test_dashboard_shows_the_money_lines_formatted(client, shop, db):
    sell_and_record(shop, db)
    login_as(client, shop.organizer.user)

    response = client.get(dashboard_url(shop))

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert total_shown(html, "tickets_minor") == "$50.00"
    assert total_shown(html, "donations_minor") == "$10.00"
    assert total_shown(html, "manual_minor") == "$123.45"
    assert total_shown(html, "refunds_minor") == "$25.00"
    assert total_shown(html, "fees_minor") == "$1.75"
    assert total_shown(html, "raised_minor") == "$158.45"  # 50 + 10 + 123.45 - 25
    assert total_shown(html, "net_minor") == "$156.70"
    assert "of the goal $1,000.00" in html
    assert total_shown(html, "goal_progress") == "15.8"
    assert 'aria-valuenow="16"' in html
    assert total_shown(html, "tickets_sold") == "2"
    assert total_shown(html, "tickets_checked_in") == "1"
    assert event_totals(shop.event)["raised_minor"] == 15_845


def test_dashboard_lists_tiers_against_capacity_and_draws_the_chart(client, shop, db):
    sell_and_record(shop, db)
    login_as(client, shop.organizer.user)

    html = client.get(dashboard_url(shop)).get_data(as_text=True)

    row = re.search(r"<td>Standard<div.*?</tr>", html, re.S).group(0)
    assert [int(n) for n in re.findall(r'class="num">(\d+)<', row)] == [2, 100, 0, 1]
    assert "<svg" in html and 'class="line"' in html
    # The last point of the cumulative line is what was raised.
    assert re.search(r"<title>[^<]*: \$158\.45</title>", html)


def test_orders_are_searchable_by_name_email_and_number(client, shop, db):
    zara = sell_and_record(shop, db)
    other = card_order(shop.event, shop.tier, 1, buyer="Bob Stone", email="bob@example.test")
    db.session.commit()
    login_as(client, shop.organizer.user)

    def found(query):
        html = client.get(dashboard_url(shop), query_string={"q": query}).get_data(as_text=True)
        section = html[html.index('id="orders"') :]
        return {int(n) for n in re.findall(r"/manage/orders/(\d+)", section)}

    assert found("") == {zara.id, other.id}
    assert found("zara") == {zara.id}
    assert found("BOB@EXAMPLE") == {other.id}
    assert found(f"#{other.id}") == {other.id}
    assert found("nobody-like-this") == set()


def test_dashboard_is_for_organizers_of_the_event(client, shop, db):
    anonymous = client.get(dashboard_url(shop))
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]

    login_as(client, shop.door.user)
    assert client.get(dashboard_url(shop)).status_code == 403
    login_as(client, shop.other_organizer.user)
    assert client.get(dashboard_url(shop)).status_code == 404
    login_as(client, shop.organizer.user)
    assert client.get(dashboard_url(shop)).status_code == 200


def test_cash_donation_form_records_and_redirects(client, shop, db):
    login_as(client, shop.organizer.user)
    page = client.get(dashboard_url(shop)).data

    response = client.post(
        f"/manage/events/{shop.event.id}/manual-donations",
        data={"donation-csrf_token": csrf_token(page, "donation-csrf_token"),
              "donation-amount": "42.50", "donation-method": "bank_transfer",
              "donation-note": "from the choir"},
    )  # fmt: skip

    assert response.status_code == 302
    assert event_totals(shop.event)["manual_minor"] == 4250
    html = client.get(dashboard_url(shop)).get_data(as_text=True)
    assert total_shown(html, "manual_minor") == "$42.50"
    assert "from the choir" in html


def test_a_mistyped_amount_is_shown_next_to_the_field_and_kept(client, shop, db):
    login_as(client, shop.organizer.user)
    page = client.get(dashboard_url(shop)).data

    response = client.post(
        f"/manage/events/{shop.event.id}/manual-donations",
        data={"donation-csrf_token": csrf_token(page, "donation-csrf_token"),
              "donation-amount": "12.345", "donation-method": "cash"},
    )  # fmt: skip

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="12.345"' in html
    assert re.search(
        r'id="donation-amount"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="donation-amount"',
        html,
    )
    assert "Enter an amount in USD, like 12.50." in html
    assert db.session.execute(select(LedgerEntry)).first() is None


def test_a_post_without_csrf_token_is_refused(client, shop, db):
    login_as(client, shop.organizer.user)

    response = client.post(
        f"/manage/events/{shop.event.id}/manual-donations",
        data={"donation-amount": "10", "donation-method": "cash"},
    )

    assert response.status_code == 400
    assert event_totals(shop.event)["manual_minor"] == 0


def test_door_sale_form_issues_tickets_and_void_form_revokes_them(client, shop, db):
    login_as(client, shop.organizer.user)
    page = client.get(dashboard_url(shop)).data

    sold = client.post(
        f"/manage/events/{shop.event.id}/door-sales",
        data={"door-csrf_token": csrf_token(page, "door-csrf_token"),
              "door-ticket_type_id": str(shop.tier.id), "door-quantity": "2",
              "door-amount": "", "door-method": "cash", "door-buyer_name": "Walk In"},
    )  # fmt: skip

    assert sold.status_code == 302 and "/manage/orders/" in sold.headers["Location"]
    detail = client.get(sold.headers["Location"]).get_data(as_text=True)
    assert len(re.findall(r'class="ticket-code">[A-Z2-7]{26}<', detail)) == 2
    assert event_totals(shop.event)["manual_minor"] == 5000
    assert event_totals(shop.event)["tickets_sold"] == 2

    page = client.get(dashboard_url(shop)).get_data(as_text=True)
    payment_id = re.search(r"/manage/manual-payments/(\d+)/void", page).group(1)
    voided = client.post(
        f"/manage/manual-payments/{payment_id}/void",
        data={"void-csrf_token": csrf_token(page, "void-csrf_token"), "void-reason": "wrong tier"},
    )

    assert voided.status_code == 302
    totals = event_totals(shop.event)
    assert (totals["manual_minor"], totals["tickets_sold"]) == (0, 0)
    assert "Voided: wrong tier" in client.get(dashboard_url(shop)).get_data(as_text=True)


def test_door_sale_over_capacity_says_so_next_to_quantity(client, shop, db):
    small = factories.tier(shop.event, name="Balcony", price_minor=1000, capacity=1)
    db.session.commit()
    login_as(client, shop.organizer.user)
    page = client.get(dashboard_url(shop)).data

    response = client.post(
        f"/manage/events/{shop.event.id}/door-sales",
        data={"door-csrf_token": csrf_token(page, "door-csrf_token"),
              "door-ticket_type_id": str(small.id), "door-quantity": "3", "door-method": "cash"},
    )  # fmt: skip

    assert response.status_code == 422
    assert "Only 1 left of Balcony." in response.get_data(as_text=True)
    assert event_totals(shop.event)["tickets_sold"] == 0
