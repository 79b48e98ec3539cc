"""A buyer on a phone uses the hosted page in real Chromium: decline, retry, paid."""

import pytest

from tests.support.standin_params import session_params


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    yield context.new_page()
    context.close()


def test_decline_then_pay_on_a_phone(make_standin_server, webhook_receiver, phone, tmp_path):
    # The shop the buyer returns to: any page on a server of ours will do.
    shop = webhook_receiver.url.removesuffix("/webhooks/stripe")
    standin_server = make_standin_server(STANDIN_ALLOWED_ORIGIN=shop)
    client = standin_server.client()
    success = f"{shop}/orders/1/success?paid={{CHECKOUT_SESSION_ID}}"
    session = client.v1.checkout.sessions.create(
        session_params(success_url=success, cancel_url=f"{shop}/orders/1/cancel")
    )

    phone.goto(session.url)
    assert phone.get_by_role("status").inner_text().startswith("Simulated payment")
    assert "$30.00" in phone.locator("h1").inner_text()
    # nothing is wider than the phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.fill("#card_number", "4000 0000 0000 0002")
    phone.fill("#expiry", "12/34")
    phone.fill("#cvc", "123")
    phone.fill("#name", "Ada Lovelace")
    phone.get_by_role("button", name="Pay $30.00").click()
    assert phone.get_by_role("alert").inner_text() == "Your card was declined."
    assert phone.input_value("#name") == "Ada Lovelace"
    phone.screenshot(path=str(tmp_path / "declined.png"), full_page=True)

    phone.fill("#card_number", "4242 4242 4242 4242")
    phone.fill("#cvc", "123")
    phone.get_by_role("button", name="Pay $30.00").click()
    phone.wait_for_url(f"**paid={session.id}")
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"
