"""On a phone, in real Chromium: the live total, a failed submit that puts the
focus on the error summary, then a reservation to pay at the door."""

from tests.support import factories as f
from tests.support.orders import count
from ticketing.orders.models import Order


def test_a_phone_buyer_reserves_to_pay_at_the_door(shop, db, org, browser, tmp_path):
    event = f.event(org, payment_methods=["card", "door"])
    tier = f.tier(event, name="Standard", price_minor=2500, capacity=10)
    db.session.commit()
    slug, tier_id = event.slug, tier.id
    shop.release()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{shop.url}/events/{slug}")
    assert page.locator("[data-update-total]").is_hidden()  # live instead

    page.select_option(f"#qty_{tier_id}", "2")
    page.fill("#donation", "5")
    door = page.get_by_label("No card? Reserve now and pay")
    assert "$55.00" in page.locator("label.pay-way", has=door).inner_text()
    door.check()
    page.fill("#buyer_name", "Ada Lovelace")
    page.fill("#buyer_email", "not-an-email")
    page.get_by_role("button", name="Continue to payment").click()

    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "tickets go to" in page.locator("#error-summary").inner_text()
    page.locator("#error-summary a[href='#buyer_email']").click()
    assert page.evaluate("document.activeElement.id") == "buyer_email"
    assert page.is_checked("input[name=payment_method][value=door]")  # kept
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.fill("#buyer_email", "ada@example.test")
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url("**/orders/*/ord_*")
    page.screenshot(path=str(tmp_path / "reserved.png"), full_page=True)
    body = page.locator("main").inner_text()
    assert "Reserved, not paid yet" in body
    assert "Unpaid: $55.00 due at the door" in body
    assert page.locator(".ticket-unpaid-mark").count() == 2
    assert page.locator("img[src$='qr.svg']").count() == 2
    context.close()
    assert count(db, Order, Order.status == "reserved") == 1
