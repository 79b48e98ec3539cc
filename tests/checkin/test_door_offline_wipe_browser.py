"""The door without network, continued: an unpaid reservation collected in cash
offline, and the door list leaving the phone when its device link is revoked
or the volunteer logs out."""

import re
from datetime import UTC, datetime

from playwright.sync_api import expect
from sqlalchemy import update

from tests.checkin.offline_support import reservation
from tests.checkin.test_door_offline_browser import (
    checkins,
    door_browser,
    next_scan,
    open_scanner,
    type_code,
)
from tests.support import factories
from tests.support.door import settle
from ticketing.accounts.models import ApiToken
from ticketing.orders.models import Order

DEVICE_DATA = """async () => ({
    databases: (await indexedDB.databases()).map(d => d.name),
    caches: await caches.keys(),
})"""


def test_unpaid_reservation_is_collected_offline_and_paid_on_sync(live_server, door, db, tmp_path):
    order, (first, second) = reservation(door.event, door.tier, quantity=2)
    token = factories.token(door.org, "door", event_id=door.event.id)
    settle(db)
    due = order.amount_due_minor
    with door_browser(tmp_path) as browser:
        context, page, errors = open_scanner(browser, f"{live_server.url}/door/device/{token}")
        context.set_offline(True)
        result = type_code(page, first.code, "collect")
        # Offline, the door list's amount due opens the same cash screen as online.
        expect(result).to_have_class("door-result result-collect")
        expect(page.locator("#result-word")).to_have_text("COLLECT $50")
        expect(result).to_contain_text("2 tickets in this order")
        page.screenshot(path=str(tmp_path / "collect.png"))
        page.get_by_role("button", name="Cash received").click()
        expect(result).to_have_attribute("data-status", "ok")
        next_scan(page)
        # The cash paid the whole reservation: the second ticket is valid now.
        type_code(page, second.code, "ok")
        next_scan(page)

        context.set_offline(False)
        expect(page.locator("#door-offline")).to_be_hidden(timeout=20_000)
        db.session.expire_all()
        paid = db.session.get(Order, order.id)
        assert paid.status == "paid" and paid.amount_due_minor == 0 and due > 0
        assert checkins(db, first) == 1 and checkins(db, second) == 1
        assert errors == []
        context.close()


def test_a_revoked_device_link_wipes_the_door_list(live_server, door, db, tmp_path):
    token = factories.token(door.org, "door", event_id=door.event.id)
    settle(db)
    with door_browser(tmp_path) as browser:
        context, page, _ = open_scanner(browser, f"{live_server.url}/door/device/{token}")
        before = page.evaluate(DEVICE_DATA)
        assert "door" in before["databases"] and before["caches"]

        db.session.execute(
            update(ApiToken)
            .where(ApiToken.event_id == door.event.id)
            .values(revoked_at=datetime.now(UTC))
        )
        settle(db)
        banner = page.locator("#door-offline")
        expect(banner).to_contain_text("revoked", timeout=20_000)
        after = page.evaluate(DEVICE_DATA)
        assert after == {"databases": [], "caches": []}
        context.close()


def test_logging_out_of_the_scanner_wipes_the_door_list(live_server, door, db, tmp_path):
    member = factories.member(door.org, "door")
    settle(db)
    with door_browser(tmp_path) as browser:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.goto(f"{live_server.url}/login")
        page.locator("input[name=email]").fill(member.user.email)
        page.locator("input[name=password]").fill("password-123")
        page.get_by_role("button", name="Log in").click()
        page.goto(f"{live_server.url}/door?event={door.event.id}")
        page.get_by_role("button", name="Start scanning").click()
        expect(page.locator("#scanner")).to_have_attribute(
            "data-synced-at", re.compile(".+"), timeout=15_000
        )
        assert "door" in page.evaluate(DEVICE_DATA)["databases"]

        page.get_by_role("button", name="Camera").click()
        page.get_by_role("button", name="Log out").click()
        expect(page.locator(".flash")).to_contain_text("logged out")
        assert page.evaluate(DEVICE_DATA) == {"databases": [], "caches": []}
        context.close()


AGE_PENDING_SCANS = """() => new Promise((resolve, reject) => {
  const opening = indexedDB.open("door");
  opening.onsuccess = () => {
    const tx = opening.result.transaction("pending", "readwrite");
    const store = tx.objectStore("pending");
    store.getAll().onsuccess = (e) => e.target.result.forEach((scan) => {
      scan.scanned_at = new Date(Date.now() - 8 * 86400000).toISOString();
      store.put(scan);
    });
    tx.oncomplete = () => { opening.result.close(); resolve(); };
    tx.onerror = () => reject(tx.error);
  };
})"""


def test_a_scan_the_server_refuses_to_take_is_listed_not_resent_forever(
    live_server, door, db, tmp_path
):
    token = factories.token(door.org, "door", event_id=door.event.id)
    settle(db)
    with door_browser(tmp_path) as browser:
        context, page, _ = open_scanner(browser, f"{live_server.url}/door/device/{token}")
        context.set_offline(True)
        type_code(page, door.ticket.code, "ok")
        next_scan(page)
        page.evaluate(AGE_PENDING_SCANS)  # as if the phone stayed offline for 8 days
        context.set_offline(False)
        expect(page.locator("#door-offline")).to_be_hidden(timeout=20_000)
        problem = page.locator("#door-conflict-list li")
        expect(problem).to_have_count(1)
        expect(problem).to_contain_text("Ada Lovelace")
        expect(problem).to_contain_text("not accepted by the server")
        assert checkins(db, door.ticket) == 0
        context.close()
