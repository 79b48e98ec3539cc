"""In a real browser: the dashboard's figures refresh by themselves when money comes in."""

from ticketing.payments import ledger


def test_raised_figure_refreshes_without_a_reload(app, live_server, shop, db, browser):
    event_id, user_id = shop.event.id, shop.organizer.user_id
    ledger.record(event_id, "donation", 1000, "USD")
    # End this thread's transaction: on SQLite it would hold the write lock
    # the live server's requests need.
    db.session.commit()
    setup = app.test_client()
    with setup.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    cookie = setup.get_cookie("session").value
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "session", "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/manage/events/{event_id}/dashboard")
    raised = page.locator(".raised-figure")
    assert raised.inner_text() == "$10.00"

    ledger.record(event_id, "donation", 45_000, "USD")
    db.session.commit()

    page.wait_for_function(
        "() => document.querySelector('.raised-figure').textContent === '$460.00'",
        timeout=15_000,
    )
    assert page.locator("[data-total='manual_minor']").inner_text() == "$0.00"
    assert page.locator("[data-total='donations_minor']").inner_text() == "$460.00"
    # The bar's fill is an SVG rect (no inline style under the CSP): its width is the percent.
    assert page.locator("[data-progress]").get_attribute("width") == "46"  # $460 of $1,000
    assert page.locator(".progress.goal").get_attribute("aria-valuenow") == "46"
    assert page.locator("[data-total='goal_progress']").inner_text() == "46.0"
    context.close()
