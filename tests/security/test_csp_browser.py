"""In real Chromium, the pages work under the Content-Security-Policy with zero violations.

Each page is watched two ways: `securitypolicyviolation` events (recorded by
a script Playwright injects, which the policy does not govern) and the
console, where Chromium reports every refused script, style, worker or form
target, across navigations too.
"""

from contextlib import contextmanager

import pytest

from tests.checkin.test_scanner_browser import write_fake_camera
from tests.support.browser import chromium
from tests.support.world import build_world

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def world(db):
    return build_world(db)


class Watched:
    """A page, and what the policy refused on it."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def violations(self) -> list[str]:
        return [*self.page.evaluate("window.__cspViolations || []"), *self.console]

    def assert_clean(self) -> None:
        assert self.violations() == []
        assert self.errors == []


@contextmanager
def watched_page(browser, base_url: str | None = None, session_cookie: str | None = None):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    if session_cookie:
        context.add_cookies([{"name": "session", "value": session_cookie, "url": base_url}])
    try:
        yield Watched(context.new_page())
    finally:
        context.close()


def session_cookie_for(app, user_id: int) -> str:
    setup = app.test_client()
    with setup.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return setup.get_cookie("session").value


def test_the_watch_sees_a_violation(live_server, world, browser):
    """The control: an inline style slipped into a page is seen and reported."""
    with watched_page(browser) as watched:
        watched.page.goto(f"{live_server.url}/events/{world.event.slug}")
        watched.page.evaluate(
            "document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')"
        )
        watched.page.wait_for_timeout(200)
        assert any("style-src" in v for v in watched.violations())


def test_buying_through_the_stand_in_at_another_address(make_shop, world, db, browser):
    """event page -> buy form POST -> 303 to the stand-in (another origin) -> pay -> order page.

    Chromium checks a form's redirect against form-action too: the stand-in's
    origin is in the event page's policy, the shop's in the stand-in's.
    """
    shop = make_shop("sync")
    shop.release()
    with watched_page(browser) as watched:
        page = watched.page
        page.goto(f"{shop.url}/events/{world.event.slug}")
        page.select_option(f"#qty_{world.tier.id}", "1")
        page.fill("#buyer_name", "Ada Lovelace")
        page.fill("#buyer_email", "ada@example.test")
        page.get_by_role("button", name="Continue to payment").click()
        page.wait_for_url(f"{shop.standin.url}/pay/cs_*")
        watched.assert_clean()
        page.fill("#card_number", "4242 4242 4242 4242")
        page.fill("#expiry", "12/34")
        page.fill("#cvc", "123")
        page.fill("#name", "Ada Lovelace")
        page.get_by_role("button", name="Pay $25.00").click()
        page.wait_for_url("**/orders/*/ord_*")
        assert page.locator("img[src$='qr.svg']").count() == 1
        watched.assert_clean()


def test_the_order_page_prints_from_its_own_script(live_server, world, browser):
    with watched_page(browser) as watched:
        page = watched.page
        page.goto(f"{live_server.url}/orders/{world.order.id}/{world.order_token}")
        page.evaluate("window.print = () => { window.__printed = true; }")
        page.get_by_role("button", name="Print tickets").click()
        assert page.evaluate("window.__printed === true")
        watched.assert_clean()


def test_the_dashboard(app, live_server, world, browser):
    cookie = session_cookie_for(app, world.organizer.user_id)
    with watched_page(browser, live_server.url, cookie) as watched:
        page = watched.page
        page.goto(f"{live_server.url}/manage/events/{world.event.id}/dashboard")
        assert page.locator(".raised-figure").inner_text().startswith("$")
        assert page.locator(".tiers-table .progress-fill").count() == 2
        page.wait_for_load_state("networkidle")
        watched.assert_clean()


def test_a_confirm_question_from_a_name_stays_text(app, live_server, world, db, browser):
    """The team page asks "Remove <name>?" from forms.js; a quote in a name runs nothing.

    Before, the question sat in an inline onsubmit handler, where an
    apostrophe in a member's name ended the JavaScript string.
    """
    from ticketing.accounts.models import Membership

    spare = db.session.get(Membership, world.spare_member_id)
    spare.user.name = "O'Brien'); window.__owned = true; ('"
    db.session.commit()
    cookie = session_cookie_for(app, world.organizer.user_id)
    with watched_page(browser, live_server.url, cookie) as watched:
        page = watched.page
        asked: list[str] = []

        def dismiss(dialog):
            asked.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismiss)
        page.goto(f"{live_server.url}/team")
        row = page.locator("tr", has_text="O'Brien")
        row.get_by_role("button", name="Remove").click()
        page.wait_for_timeout(300)
        assert asked == ["Remove O'Brien'); window.__owned = true; (' from the team?"]
        assert page.evaluate("window.__owned") is None
        assert page.url.endswith("/team")  # dismissed: nothing was posted
        watched.assert_clean()


def test_the_api_docs_render(live_server, world, browser):
    with watched_page(browser) as watched:
        page = watched.page
        page.goto(f"{live_server.url}/api/v1/docs")
        page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
        assert page.locator(".swagger-ui .opblock").count() > 10
        page.locator(".swagger-ui .opblock-summary").first.click()
        page.wait_for_timeout(300)
        watched.assert_clean()


def test_the_scanner_reads_a_ticket_with_its_worker(live_server, world, db, tmp_path):
    """The camera and qr-scanner's blob: worker are allowed on the scanner, and only there."""
    from playwright.sync_api import expect

    camera = tmp_path / "ticket.y4m"
    write_fake_camera(camera, world.codes[1])  # codes[0] is already in
    fake_camera = (
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera}",
    )
    with chromium(fake_camera) as browser, watched_page(browser) as watched:
        page = watched.page
        page.context.grant_permissions(["camera"])
        page.goto(f"{live_server.url}/door/device/{world.device_token}")
        page.get_by_role("button", name="Start scanning").click()  # starts the camera
        result = page.locator("#door-result")
        expect(result).to_have_attribute("data-status", "ok", timeout=20_000)
        assert page.locator("#scan-overlay").is_visible()
        watched.assert_clean()
