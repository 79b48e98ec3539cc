"""A real Chromium whose fake camera shows a real ticket's QR code.

The device-link scanner page, served over HTTP, reads the code through the
vendored qr-scanner, checks it in (GREEN), and after "Scan next" the same
code again answers ALREADY IN (AMBER) with the time of the first scan.
"""

from contextlib import contextmanager

import qrcode
from PIL import Image
from sqlalchemy import func, select

from tests.support import factories
from tests.support.browser import chromium
from tests.support.door import settle
from tests.support.reservations import codes, reserved_order
from ticketing.checkin.models import CheckIn, ScanAttempt
from ticketing.orders.models import Order
from ticketing.payments.models import ManualPayment

WIDTH, HEIGHT = 640, 480


def write_fake_camera(path, text: str | None, frames: int = 10) -> None:
    """A .y4m video of a QR code (or nothing) on a white frame, for Chromium's fake camera."""
    frame = Image.new("RGB", (WIDTH, HEIGHT), "white")
    if text is not None:
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8)
        qr.add_data(text)
        qr.make(fit=True)
        code = qr.make_image(fill_color="black", back_color="white").convert("RGB")
        frame.paste(code, ((WIDTH - code.width) // 2, (HEIGHT - code.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + planes)


@contextmanager
def device_link_page(live_server, door, db, camera, query: str = ""):
    """The event's device-link scanner page in Chromium, its camera playing `camera`.

    Yields the page and the list of JavaScript errors it raised.
    """
    device_token = factories.token(door.org, "door", event_id=door.event.id)
    settle(db)
    fake_camera = (
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera}",
    )
    with chromium(fake_camera) as browser:
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, permissions=["camera"]
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{live_server.url}/door/device/{device_token}{query}")
        page.locator("#door-start").click()  # "Start scanning", in the page's language
        yield page, errors


def test_scanner_page_shows_green_then_amber_for_the_same_qr(live_server, door, db, tmp_path):
    from playwright.sync_api import expect

    camera = tmp_path / "ticket.y4m"
    write_fake_camera(camera, door.ticket.code)
    with device_link_page(live_server, door, db, camera) as (page, errors):
        result = page.locator("#door-result")

        expect(result).to_have_attribute("data-status", "ok", timeout=20_000)
        expect(result).to_have_class("door-result result-ok")
        expect(page.locator("#result-word")).to_have_text("WELCOME")
        expect(page.locator("#result-name")).to_have_text("Ada Lovelace")
        expect(page.locator("#result-tier")).to_have_text("Standard")
        expect(page.locator("#count-in")).to_have_text("1", timeout=5_000)
        page.screenshot(path=str(tmp_path / "green.png"))

        page.locator("#scan-next").click()
        expect(result).to_have_attribute("data-status", "already_checked_in", timeout=20_000)
        expect(result).to_have_class("door-result result-already")
        expect(page.locator("#result-word")).to_have_text("ALREADY IN")
        expect(page.locator("#result-detail")).to_contain_text("First scanned at")
        page.screenshot(path=str(tmp_path / "amber.png"))
        assert errors == []

    checkins = db.session.execute(select(func.count()).select_from(CheckIn)).scalar_one()
    results = db.session.execute(select(ScanAttempt.result).order_by(ScanAttempt.id)).scalars()
    assert checkins == 1
    assert list(results) == ["ok", "already_checked_in"]


def test_typed_code_and_guest_search_work_without_a_qr_in_view(live_server, door, db, tmp_path):
    from playwright.sync_api import expect

    camera = tmp_path / "blank.y4m"
    write_fake_camera(camera, None, frames=2)
    with device_link_page(live_server, door, db, camera) as (page, _errors):
        expect(page.locator("#count-sold")).to_have_text("1")
        expect(page.locator("#count-in")).to_have_text("0")
        page.screenshot(path=str(tmp_path / "scanner.png"))

        page.get_by_role("button", name="Find guest").click()
        page.locator("#search-input").fill("lovelace")
        page.locator("#search-input").press("Enter")
        item = page.locator("#search-results li")
        expect(item).to_have_count(1)
        expect(item).to_contain_text("Ada Lovelace")
        page.screenshot(path=str(tmp_path / "search.png"))

        page.get_by_role("button", name="Type code").click()
        code = door.ticket.code.lower()
        page.locator("#code-input").fill(f"{code[:4]} {code[4:8]}-{code[8:]}")
        page.locator("#code-form button[type=submit]").click()
        result = page.locator("#door-result")
        expect(result).to_have_attribute("data-status", "ok")
        expect(page.locator("#result-name")).to_have_text("Ada Lovelace")
        page.locator("#scan-next").click()
        expect(page.locator("#count-in")).to_have_text("1")

        page.get_by_role("button", name="Find guest").click()
        page.locator("#search-input").fill("Ada")
        page.locator("#search-input").press("Enter")
        expect(page.locator("#search-results li button")).to_have_text("In")
        expect(page.locator("#search-results li button")).to_be_disabled()


def test_an_unpaid_reservation_is_collected_with_one_tap(live_server, door, db, tmp_path):
    """Amber COLLECT with the amount, the name and the count; Cash received; green."""
    from playwright.sync_api import expect

    tier = factories.tier(door.event, name="Balcony", price_minor=25_000)
    order = reserved_order(door.event, [(tier, 3)], buyer="Zeynep Kaya")
    code = codes(order)[0]
    settle(db)
    camera = tmp_path / "reserved.y4m"
    write_fake_camera(camera, code)
    with device_link_page(live_server, door, db, camera) as (page, errors):
        result = page.locator("#door-result")
        expect(result).to_have_attribute("data-status", "collect", timeout=20_000)
        expect(result).to_have_class("door-result result-collect")
        expect(page.locator("#result-word")).to_have_text("COLLECT $750")
        expect(page.locator("#result-name")).to_have_text("Zeynep Kaya")
        expect(page.locator("#result-tier")).to_have_text("3 tickets in this order")
        page.wait_for_timeout(1_500)  # the QR stays in view: the screen waits for the tap
        expect(result).to_have_attribute("data-status", "collect")
        page.screenshot(path=str(tmp_path / "collect.png"))

        page.get_by_role("button", name="Cash received").click()
        expect(result).to_have_attribute("data-status", "ok")
        expect(result).to_have_class("door-result result-ok")
        expect(page.locator("#result-word")).to_have_text("WELCOME")
        expect(page.locator("#collect-button")).to_be_hidden()
        expect(page.locator("#count-in")).to_have_text("1", timeout=5_000)
        page.screenshot(path=str(tmp_path / "collected.png"))
        assert errors == []

    db.session.expire_all()
    payment = db.session.execute(select(ManualPayment)).scalar_one()
    assert (payment.kind, payment.method, payment.amount_minor) == ("reservation", "cash", 75_000)
    assert payment.recorded_by_token_id is not None
    assert db.session.get(Order, order.id).status == "paid"
    db.session.commit()


def test_a_door_sale_takes_the_cash_and_lets_the_guests_in(live_server, door, db, tmp_path):
    from playwright.sync_api import expect

    camera = tmp_path / "blank.y4m"
    write_fake_camera(camera, None, frames=2)
    with device_link_page(live_server, door, db, camera) as (page, errors):
        expect(page.locator("#count-sold")).to_have_text("1")
        page.get_by_role("button", name="Sell").click()
        expect(page.locator("#sale-amount")).to_have_text("Take $25")
        page.get_by_role("button", name="One more").click()
        expect(page.locator("#sale-amount")).to_have_text("Take $50")
        page.screenshot(path=str(tmp_path / "sale.png"))
        page.locator("#sale-submit").click()
        result = page.locator("#door-result")
        expect(result).to_have_attribute("data-status", "sold")
        expect(result).to_have_class("door-result result-ok")
        expect(page.locator("#result-name")).to_have_text("2 tickets sold and in")
        expect(page.locator("#result-tier")).to_have_text("Standard")
        expect(page.locator("#count-in")).to_have_text("2", timeout=5_000)
        expect(page.locator("#count-sold")).to_have_text("3")
        assert "raised" not in page.content().lower()  # the door sees no totals
        assert errors == []

    db.session.expire_all()
    payment = db.session.execute(select(ManualPayment)).scalar_one()
    assert (payment.kind, payment.method, payment.amount_minor) == ("tickets", "cash", 5_000)
    assert payment.recorded_by_token_id is not None
    db.session.commit()


def test_collect_speaks_the_pages_language_and_money(live_server, door, db, tmp_path):
    """In Russian, lira: the amount as Russians write it, the count in its plural form."""
    from playwright.sync_api import expect

    door.event.currency = "TRY"  # a test shortcut: the event's orders are made here
    tier = factories.tier(door.event, name="Balcony", price_minor=25_000)
    order = reserved_order(door.event, [(tier, 3)], buyer="Зейнеп Кая")
    settle(db)
    camera = tmp_path / "reserved.y4m"
    write_fake_camera(camera, codes(order)[0])
    with device_link_page(live_server, door, db, camera, query="?lang=ru") as (page, errors):
        result = page.locator("#door-result")
        expect(result).to_have_attribute("data-status", "collect", timeout=20_000)
        expect(page.locator("#result-word")).to_have_text("ВЗЯТЬ 750\u00a0₺")
        expect(page.locator("#result-tier")).to_have_text("3 билета в этом заказе")
        expect(page.locator("#collect-button")).to_have_text("Деньги получены")
        assert errors == []
