"""In real Chromium: an organizer logs in, reads the raised figure, refunds a card
order in full through the order page, and sees the figure drop by exactly
that amount and the order's tickets revoked.

The order is bought and paid over HTTP against the Stripe stand-in, whose
webhooks arrive after each call returns, as Stripe's do.
"""

from decimal import Decimal

from tests.support import factories
from tests.support.servers import wait_for
from ticketing.orders.models import Order
from ticketing.tickets.models import Ticket


def minor(text: str) -> int:
    """ "$1,234.50" -> 123450 (USD)."""
    return int(Decimal(text.strip().lstrip("$").replace(",", "")) * 100)


def test_an_organizer_refunds_an_order_and_sees_the_totals_drop(make_shop, db, browser):
    shop = make_shop("async")
    org = factories.organization("Songs for Shelter")
    factories.member(org, "organizer", email="organizer@example.test")
    event = factories.event(org, name="Winter benefit", currency="USD")
    tier = factories.tier(event, name="Standard", price_minor=2500)
    db.session.commit()
    event_id = event.id
    kept = shop.buy(event_id, [{"ticket_type_id": tier.id, "quantity": 1}]).json()
    refunded = shop.buy(event_id, [{"ticket_type_id": tier.id, "quantity": 2}], donation_minor=700)
    refunded = refunded.json()
    for created in (kept, refunded):
        assert shop.pay(created).status_code == 200
    wait_for(lambda: {db.session.get(Order, o["id"]).status for o in (kept, refunded)} == {"paid"},
             db)  # fmt: skip

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{shop.url}/login")
    page.fill("input[name=email]", "organizer@example.test")
    page.fill("input[name=password]", "password-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{shop.url}/manage/events")

    page.goto(f"{shop.url}/manage/events/{event_id}/dashboard")
    before = minor(page.locator(".raised-figure").inner_text())
    assert before == 2500 + 5700  # both orders, the donation included

    page.click(f"a[href='/manage/orders/{refunded['id']}']")
    page.wait_for_url(f"{shop.url}/manage/orders/{refunded['id']}")
    page.click("#refund button[type=submit]")  # the amount left empty: refund all
    page.wait_for_selector(".flash, [role=alert], .alert, .messages", timeout=15_000)
    assert "Refunded $57.00 through Stripe" in page.content()
    assert minor(page.locator("[data-order-refunded]").inner_text()) == 5700
    statuses = page.locator("td .status").all_inner_texts()
    assert statuses == ["revoked", "revoked"]

    page.goto(f"{shop.url}/manage/events/{event_id}/dashboard")
    after = minor(page.locator(".raised-figure").inner_text())
    assert before - after == 5700
    assert minor(page.locator("[data-total='refunds_minor']").inner_text()) == 5700
    context.close()

    # The database agrees with the page: the refunded order's tickets are revoked, the other's not.
    db.session.rollback()
    tickets = db.session.query(Ticket.order_id, Ticket.status).all()
    assert sorted(tickets) == sorted(
        [(kept["id"], "valid"), (refunded["id"], "revoked"), (refunded["id"], "revoked")]
    )
