"""One order on the organizer's side: lines, tickets, money, email, resend and refund."""

import importlib.util
import re

from sqlalchemy import func, select

from tests.support.money import card_order
from tests.support.web import csrf_token, login_as
from ticketing.events.totals import event_totals
from ticketing.orders import door
from ticketing.payments import ledger
from ticketing.payments.models import LedgerEntry, Payment, RefundRequest


def paid_by_card(shop, db):
    order = card_order(shop.event, shop.tier, 2, buyer="Ada Buyer", email="ada@example.test")
    db.session.add(Payment(order_id=order.id, stripe_payment_intent_id="pi_test_1",
                           amount_minor=5000, fee_minor=175, currency="USD"))  # fmt: skip
    ledger.record(shop.event.id, "ticket_sale", 5000, "USD", order_id=order.id)
    ledger.record(shop.event.id, "fee", 175, "USD", order_id=order.id)
    order.email_status = "sent"
    db.session.commit()
    return order


def test_order_page_shows_lines_tickets_money_and_email(client, shop, db):
    order = paid_by_card(shop, db)
    login_as(client, shop.organizer.user)

    response = client.get(f"/manage/orders/{order.id}")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ada Buyer" in html and "ada@example.test" in html
    for ticket in order.tickets:
        assert f'class="ticket-code">{ticket.code}<' in html
    assert re.search(r"<td>Standard</td><td class=\"num\">2</td>", html)
    assert "$50.00 · succeeded · fee $1.75" in html
    assert 'class="email-status email-sent">sent<' in html
    assert "ticket sale" in html and "fee" in html
    assert ("Resend tickets" in html) == (
        importlib.util.find_spec("ticketing.delivery.email") is not None
    )


def test_order_page_is_for_organizers_of_the_event(client, shop, db):
    order = paid_by_card(shop, db)
    url = f"/manage/orders/{order.id}"

    assert client.get(url).status_code == 302
    login_as(client, shop.door.user)
    assert client.get(url).status_code == 403
    login_as(client, shop.other_organizer.user)
    assert client.get(url).status_code == 404
    login_as(client, shop.organizer.user)
    assert client.get("/manage/orders/987654").status_code == 404


def test_a_refund_stripe_refuses_is_shown_next_to_the_amount(client, shop, db):
    """The real refund_order, with Stripe unreachable (tests point it at a closed port)."""
    if importlib.util.find_spec("ticketing.orders.refund_records") is None:
        raise AssertionError("ticketing.orders.refunding.refund_order is part of this build")
    order = paid_by_card(shop, db)
    login_as(client, shop.organizer.user)
    page = client.get(f"/manage/orders/{order.id}").get_data(as_text=True)
    assert "Refundable: $50.00" in page

    response = client.post(f"/manage/orders/{order.id}/refund",
                           data={"csrf_token": csrf_token(page), "amount": "10.00"})  # fmt: skip

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Stripe could not be reached" in html
    assert 'value="10.00"' in html
    # The request is kept (sent again by a retry of this form or `flask retry-refunds`),
    # and the re-rendered form keeps its one-time key, so a retry is the same refund.
    kept = db.session.execute(select(RefundRequest)).scalar_one()
    assert (kept.status, kept.amount_minor) == ("requested", 1000)
    assert csrf_token(html, "key") == kept.client_key
    refunds = db.session.execute(
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "refund")
    ).scalar()
    assert refunds == 0
    assert event_totals(shop.event)["refunds_minor"] == 0


def test_a_door_order_offers_void_instead_of_refund(client, shop, db):
    payment = door.record_door_sale(shop.event, ticket_type_id=shop.tier.id, quantity=1,
                                      method="cash")  # fmt: skip
    db.session.commit()
    login_as(client, shop.organizer.user)

    html = client.get(f"/manage/orders/{payment.order_id}").get_data(as_text=True)

    assert "/refund" not in html
    assert "void its record" in html
    assert "$25.00 · cash" in html


def test_refund_amount_must_be_money(client, shop, db):
    order = paid_by_card(shop, db)
    login_as(client, shop.organizer.user)
    page = client.get(f"/manage/orders/{order.id}").get_data(as_text=True)
    assert f'action="/manage/orders/{order.id}/refund"' in page

    response = client.post(f"/manage/orders/{order.id}/refund",
                           data={"csrf_token": csrf_token(page), "amount": "ten"})  # fmt: skip

    assert response.status_code == 422
    assert "Enter an amount in USD, like 12.50." in response.get_data(as_text=True)


def test_resend_writes_the_ticket_email_again(app, client, shop, db, tmp_path):
    """Without MAIL_SERVER the delivery writes the message to the outbox folder."""
    order = paid_by_card(shop, db)
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path)
    login_as(client, shop.organizer.user)
    page = client.get(f"/manage/orders/{order.id}").get_data(as_text=True)

    response = client.post(f"/manage/orders/{order.id}/resend",
                           data={"csrf_token": csrf_token(page)})  # fmt: skip

    assert response.status_code == 302
    sent = list(tmp_path.glob(f"{order.id}-*.eml"))
    assert len(sent) == 1
    assert "ada@example.test" in sent[0].read_text()
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tickets sent again to ada@example.test." in follow


def test_a_failed_email_shows_why_and_its_retry_button_sends_it(app, client, shop, db, tmp_path):
    order = paid_by_card(shop, db)
    order.email_status, order.email_attempts = "failed", 5
    order.email_error = "ConnectionRefusedError: [Errno 111] Connection refused"
    db.session.commit()
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path)
    login_as(client, shop.organizer.user)
    page = client.get(f"/manage/orders/{order.id}").get_data(as_text=True)
    assert 'class="email-status email-failed">failed<' in page
    assert "Connection refused" in page and "Retry sending" in page

    refused = client.post(f"/manage/orders/{order.id}/resend", data={})  # no CSRF token
    assert refused.status_code in (302, 400) and list(tmp_path.glob("*.eml")) == []

    response = client.post(f"/manage/orders/{order.id}/resend",
                           data={"csrf_token": csrf_token(page)})  # fmt: skip
    assert response.status_code == 302
    assert len(list(tmp_path.glob(f"{order.id}-*.eml"))) == 1  # past the attempt cap: asked
    db.session.expire_all()
    assert (order.email_status, order.email_attempts, order.email_error) == ("sent", 6, "")
