"""The door without network, in a real Chromium on a phone-sized screen.

The device-link scanner syncs its door list, then the network goes
(context.set_offline): a valid ticket is GREEN, the same again AMBER, an
unknown code RED, a calm "Offline" banner shows, search by name still finds
guests, and a reload still opens the scanner (service worker). When the
network comes back the offline scans reach the server once; two phones that
both admitted one ticket offline end with one check-in and one conflict.
"""

import re
from contextlib import contextmanager

import requests
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.checkin.offline_support import code_hash, paid_tickets
from tests.checkin.test_scanner_browser import write_fake_camera
from tests.support import factories
from tests.support.browser import chromium
from tests.support.door import settle
from ticketing.checkin.models import CheckIn, CheckinConflict
from ticketing.search_text import fold

PHONE = {"width": 390, "height": 844}


@contextmanager
def door_browser(tmp_path):
    camera = tmp_path / "blank.y4m"
    write_fake_camera(camera, None, frames=2)
    fake_camera = (
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera}",
    )
    with chromium(fake_camera) as browser:
        yield browser


def open_scanner(browser, url: str, init_script: str | None = None):
    """A phone opening the scanner online: door list synced, page kept for offline."""
    context = browser.new_context(viewport=PHONE, permissions=["camera"])
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.get_by_role("button", name="Start scanning").click()
    expect(page.locator("#scanner")).to_have_attribute(
        "data-synced-at", re.compile(".+"), timeout=15_000
    )
    page.wait_for_function(
        "() => navigator.serviceWorker.controller !== null"
        " || navigator.serviceWorker.ready.then(() => true)"
    )
    page.wait_for_function(
        "async () => !!(await (await caches.open('door-pages')).match(location.href))"
    )
    return context, page, errors


def type_code(page, code: str, expected_status: str):
    if page.locator("#panel-code").is_hidden():
        page.get_by_role("button", name="Type code").click()
    page.locator("#code-input").fill(code)
    page.locator("#code-form button[type=submit]").click()
    result = page.locator("#door-result")
    expect(result).to_have_attribute("data-status", expected_status)
    expect(result).to_be_visible()
    return result


def next_scan(page):
    page.locator("#scan-next").click()
    expect(page.locator("#door-result")).to_be_hidden()


def checkins(db, ticket=None) -> int:
    query = select(func.count()).select_from(CheckIn).where(CheckIn.undone_at.is_(None))
    if ticket is not None:
        query = query.where(CheckIn.ticket_id == ticket.id)
    db.session.expire_all()
    count = db.session.execute(query).scalar_one()
    settle(db)  # no read transaction left open: the app must write (SQLite)
    return count


def test_offline_door_decides_from_its_list_and_survives_a_reload(live_server, door, db, tmp_path):
    anna, boris, carl, dora = paid_tickets(
        door.event, door.tier, ["Анна Петрова", "Boris Pasternak", "Carl Nielsen", "Dora Maar"]
    )
    token = factories.token(door.org, "door", event_id=door.event.id)
    settle(db)
    url = f"{live_server.url}/door/device/{token}"
    with door_browser(tmp_path) as browser:
        context, page, errors = open_scanner(browser, url)
        banner = page.locator("#door-offline")

        # A request lost on the way (network failure, browser thinks it is online).
        page.route("**/api/v1/checkins", lambda route: route.abort("internetdisconnected"))
        result = type_code(page, boris.code.lower(), "ok")
        expect(result).to_have_class("door-result result-ok is-offline")
        expect(page.locator("#result-name")).to_have_text("Boris Pasternak")
        next_scan(page)
        page.unroute("**/api/v1/checkins")
        # The proxy answers for a server that is down: no red either.
        unavailable = '{"code": "unavailable", "message": "Try again"}'
        page.route("**/api/v1/checkins", lambda route: route.fulfill(status=503, body=unavailable))
        type_code(page, dora.code, "ok")
        next_scan(page)
        page.unroute("**/api/v1/checkins")

        # Another phone lets Carl in online; this one learns it from the next delta.
        synced = page.locator("#scanner").get_attribute("data-synced-at")
        other_phone = requests.post(
            f"{live_server.url}/api/v1/checkins",
            json={"code": carl.code, "event_id": door.event.id, "nonce": "n-1", "gate": "East"},
            headers=door.headers(),
            timeout=10,
        )
        assert other_phone.status_code == 200
        expect(page.locator("#scanner")).not_to_have_attribute("data-synced-at", synced)
        # That sync also sent Boris's and Dora's scans, decided here.
        expect(page.locator("#door-offline")).to_be_hidden()
        assert checkins(db, boris) == 1 and checkins(db, dora) == 1 and checkins(db) == 3

        context.set_offline(True)
        type_code(page, carl.code, "already_checked_in")
        expect(page.locator("#result-detail")).to_contain_text("First scanned at")
        expect(page.locator("#result-detail")).to_contain_text("East")
        next_scan(page)
        result = type_code(page, door.ticket.code, "ok")
        expect(page.locator("#result-word")).to_have_text("WELCOME")
        expect(page.locator("#result-name")).to_have_text("Ada Lovelace")
        page.screenshot(path=str(tmp_path / "offline-green.png"))
        next_scan(page)

        expect(banner).to_be_visible()
        expect(banner).to_have_attribute("data-state", "offline")
        expect(banner).to_contain_text("Offline — last synced")
        expect(banner).to_contain_text("Scans to send: 1")
        color = banner.evaluate("el => getComputedStyle(el).backgroundColor")
        assert color != "rgb(180, 35, 24)"  # never the red of a refused ticket

        type_code(page, door.ticket.code, "already_checked_in")
        expect(page.locator("#result-word")).to_have_text("ALREADY IN")
        expect(page.locator("#result-detail")).to_contain_text("First scanned at")
        next_scan(page)

        result = type_code(page, "AAAA BBBB CCCC DDDD EEEE FFGG", "invalid")
        expect(result).to_have_class("door-result result-refused")
        expect(page.locator("#result-word")).to_have_text("NOT A VALID TICKET")
        next_scan(page)

        # Search by name, folded like the server: Cyrillic typed in Latin, any case.
        page.get_by_role("button", name="Find guest").click()
        page.locator("#search-input").fill("PETROVA")
        page.locator("#search-input").press("Enter")
        found = page.locator("#search-results li")
        expect(found).to_have_count(1)
        expect(found).to_contain_text("Анна Петрова")
        expect(found.locator("button")).to_be_disabled()  # offline: scan the code to admit

        page.reload()
        expect(page.locator("#scanner")).to_be_visible()
        page.get_by_role("button", name="Start scanning").click()
        expect(banner).to_contain_text("Offline — last synced")
        expect(page.locator("#count-in")).to_have_text("4")
        type_code(page, door.ticket.code, "already_checked_in")
        next_scan(page)
        type_code(page, anna.code, "ok")
        next_scan(page)
        assert checkins(db) == 3  # nothing more reached the server yet

        context.set_offline(False)
        expect(banner).to_be_hidden(timeout=20_000)
        assert checkins(db) == 5
        for ticket in (door.ticket, anna, boris, carl, dora):
            assert checkins(db, ticket) == 1
        page.reload()  # online again: the same nonces are not sent twice
        expect(page.locator("#count-in")).to_have_text("5")
        assert checkins(db) == 5
        assert errors == []
        context.close()


def test_two_phones_admit_one_ticket_offline_one_checkin_one_conflict(
    live_server, door, db, tmp_path
):
    token = factories.token(door.org, "door", event_id=door.event.id)
    other = factories.token(door.org, "door", event_id=door.event.id)
    settle(db)
    with door_browser(tmp_path) as browser:
        first, first_page, _ = open_scanner(browser, f"{live_server.url}/door/device/{token}")
        second, second_page, _ = open_scanner(browser, f"{live_server.url}/door/device/{other}")
        first.set_offline(True)
        second.set_offline(True)
        type_code(first_page, door.ticket.code, "ok")
        second_page.wait_for_timeout(50)  # the second phone's scan is later
        type_code(second_page, door.ticket.code, "ok")

        first.set_offline(False)
        expect(first_page.locator("#door-offline")).to_be_hidden(timeout=20_000)
        second.set_offline(False)
        expect(second_page.locator("#door-offline")).to_be_hidden(timeout=20_000)
        conflicts = second_page.locator("#door-conflict-list li")
        expect(conflicts).to_have_count(1)
        expect(conflicts).to_contain_text("Ada Lovelace")
        expect(conflicts).to_contain_text("already let in elsewhere")
        expect(first_page.locator("#door-conflicts")).to_be_hidden()
        assert checkins(db, door.ticket) == 1
        conflicts = db.session.execute(select(CheckinConflict)).scalars().all()
        assert [c.ticket_id for c in conflicts] == [door.ticket.id]
        settle(db)
        first.close()
        second.close()


NAMES = [
    "Анна Петрова",
    "ПЕТРОВА",
    "Олександр Хмельницький",
    "Юлія Ґонта",
    "İsmail Şahin",
    "ısmail ÇAĞLAR",
    "Khmel'nyts'kyi",
    "Ömer  Öztürk",
    "Zoë Ångström",
    "Щука Ёлкина",
]


# Headless Chromium grants no screen wake lock: a stand-in that counts requests
# and lets the test release the lock the way the system does (tab hidden).
FAKE_WAKE_LOCK = """
window.__wakeRequests = 0;
Object.defineProperty(navigator, "wakeLock", { value: { request: function () {
  window.__wakeRequests += 1;
  var sentinel = new EventTarget();
  sentinel.released = false;
  window.__releaseWakeLock = function () {
    sentinel.released = true;
    sentinel.dispatchEvent(new Event("release"));
  };
  return Promise.resolve(sentinel);
} } });
"""


def test_search_folds_like_the_server_and_the_screen_stays_awake(live_server, door, db, tmp_path):
    token = factories.token(door.org, "door", event_id=door.event.id)
    settle(db)
    url = f"{live_server.url}/door/device/{token}"
    with door_browser(tmp_path) as browser:
        context, page, _ = open_scanner(browser, url, init_script=FAKE_WAKE_LOCK)
        folded = page.evaluate("names => names.map(window.DoorFold.fold)", NAMES)
        assert folded == [fold(name) for name in NAMES]
        # The code's keyed hash, as the server computes it (normalized code, salt's UTF-8).
        salt = "sälz-Ω"
        hashed = page.evaluate(
            "([code, salt]) => window.DoorStore.codeHash(code, salt)", [" abcd-efgh.ij_k ", salt]
        )
        assert hashed == code_hash(salt, "ABCDEFGHIJK")

        # "Start scanning" took the wake lock and unlocked the sound.
        html = page.locator("html")
        expect(html).to_have_attribute("data-wake-lock", "on")
        assert page.evaluate("window.__wakeRequests") == 1
        assert page.locator("#scanner").get_attribute("data-sound") == "running"
        # The system drops it when the tab hides; back in view it is taken again.
        page.evaluate("window.__releaseWakeLock()")
        expect(html).to_have_attribute("data-wake-lock", "off")
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        expect(html).to_have_attribute("data-wake-lock", "on")
        assert page.evaluate("window.__wakeRequests") == 2
        context.close()
