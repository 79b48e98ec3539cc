"""A buyer whose phone speaks Russian, in real Chromium, gets Russian pages and a Russian email."""

import time

from ticketing.orders.models import Order


def test_a_russian_browser_buys_in_russian_and_gets_a_russian_email(
    shop, db, concert, browser, smtp_server
):
    slug, tier_id = concert.slug, concert.ticket_types[0].id
    shop.release()
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{shop.url}/events/{slug}")
    assert page.evaluate("document.documentElement.lang") == "ru"
    assert "26 декабря 2026 г., 19:30" in page.locator(".event-when").inner_text()
    assert "750,00\xa0₺" in page.locator(f"#tier-{tier_id}").inner_text()
    assert page.locator(".languages [aria-current]").inner_text() == "Русский"

    page.select_option(f"#qty_{tier_id}", "2")
    page.fill("#buyer_name", "Ирина Петрова")
    page.fill("#buyer_email", "irina@example.test")
    page.fill("#donation", "1 000,50")
    page.get_by_role("button", name="Перейти к оплате").click()

    page.wait_for_url("**/pay/cs_*")
    assert page.evaluate("document.documentElement.lang") == "ru"
    assert page.locator("h1").inner_text() == "Оплатить 2\xa0500,50\xa0₺"
    page.fill("#card_number", "4242 4242 4242 4242")
    page.fill("#expiry", "12/34")
    page.fill("#cvc", "123")
    page.fill("#name", "Irina Petrova")
    page.get_by_role("button", name="Оплатить 2\xa0500,50\xa0₺").click()

    page.wait_for_url("**/orders/*/ord_*")
    assert "Оплачено" in page.locator(".order-status").inner_text()
    assert "Спасибо! Оплата прошла." in page.locator(".thanks").inner_text()
    context.close()

    order = db.session.query(Order).filter_by(buyer_email="irina@example.test").one()
    assert (order.locale, order.donation_minor) == ("ru", 100050)
    deadline = time.monotonic() + 10
    while not smtp_server.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    ((recipients, message),) = smtp_server.messages
    assert recipients == ["irina@example.test"]
    assert message["Subject"] == "Ваши билеты: Концерт «Весна»"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Здравствуйте, Ирина Петрова!" in text and "Вот ваши 2 билета на:" in text
    assert "26 декабря 2026 г., 19:30" in text
    assert "Ваше пожертвование: 1\xa0000,50\xa0₺. Спасибо!" in text
