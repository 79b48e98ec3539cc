"""A buyer on a phone, in real Chromium: event page, two tickets, test card, paid."""

from tests.support.orders import count
from ticketing.orders.models import Order


def test_buy_two_tickets_and_pay_with_the_test_card(shop, db, concert, browser, tmp_path):
    slug, tier_id = concert.slug, concert.ticket_types[0].id
    shop.release()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{shop.url}/events/{slug}")
    assert "Payments are simulated" in page.locator(".banner-simulated").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.select_option(f"#qty_{tier_id}", "2")
    page.fill("#buyer_name", "Ada Lovelace")
    page.fill("#buyer_email", "not-an-email")
    page.get_by_role("button", name="Continue to payment").click()
    # The server refuses with the error next to the field, keeping what was typed.
    assert "tickets go to" in page.locator("#buyer_email-error").inner_text()
    assert page.input_value("#buyer_name") == "Ada Lovelace"
    assert page.input_value(f"#qty_{tier_id}") == "2"

    page.fill("#buyer_email", "ada@example.test")
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url("**/pay/cs_*")
    assert "$50.00" in page.locator("h1").inner_text()
    page.fill("#card_number", "4242 4242 4242 4242")
    page.fill("#expiry", "12/34")
    page.fill("#cvc", "123")
    page.fill("#name", "Ada Lovelace")
    page.get_by_role("button", name="Pay $50.00").click()

    page.wait_for_url("**/orders/*/ord_*")
    page.screenshot(path=str(tmp_path / "paid.png"), full_page=True)
    body = page.locator("main").inner_text()
    assert "Paid" in body or "paid" in body
    assert page.locator("img[src$='qr.svg']").count() == 2
    context.close()
    assert count(db, Order, Order.status == "paid") == 1
