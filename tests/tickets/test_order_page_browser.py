"""The order page in a real Chromium: the QR on a phone screen scans, print is one ticket a page."""

import io
import re

from PIL import Image

from tests.support.tickets import decode_qr


def test_phone_screen_qr_scans_and_print_gives_one_ticket_per_page(
    browser, live_server, make_paid_order
):
    paid = make_paid_order(quantities=(2, 1))
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.goto(live_server.url + paid.path)
    page.wait_for_load_state("networkidle")

    tickets = page.locator("article.ticket")
    assert tickets.count() == 3
    for index in range(3):
        qr = tickets.nth(index).locator(".ticket-qr img")
        box = qr.bounding_box()
        # Big on a phone: at least 300 CSS px of a 390 px wide screen.
        assert box["width"] >= 300
        shot = Image.open(io.BytesIO(qr.screenshot()))
        assert decode_qr(shot).text == paid.codes[index]

    pdf = page.pdf(format="A4")
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    assert len(pages) == 3
