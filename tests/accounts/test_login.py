"""Logging in and out through the real forms, CSRF and the login rate limit."""

import pytest

from tests.support.web import PASSWORD, csrf_token, login, logout

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


def test_organizer_logs_in_and_lands_on_their_events(client, team):
    page = client.get("/login")
    assert page.status_code == 200
    assert b'name="csrf_token"' in page.data and b'type="password"' in page.data

    response = login(client, "organizer@example.test")
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/events"
    events_page = client.get("/manage/events")
    assert events_page.status_code == 200
    html = events_page.get_data(as_text=True)
    assert team.organizer.user.name in html and "Log out" in html and "My events" in html


def test_email_is_matched_whatever_its_case(client, team):
    assert login(client, "  Organizer@Example.TEST ").status_code == 302


def test_wrong_password_says_so_and_keeps_the_email(client, team):
    response = login(client, "organizer@example.test", "not-the-password")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Wrong email or password." in html
    assert 'value="organizer@example.test"' in html
    assert "not-the-password" not in html
    # Not logged in: the organizer pages still send us to the login form.
    assert client.get("/manage/events").status_code == 302


def test_unknown_email_gets_the_same_message(client, team):
    response = login(client, "nobody@example.test")
    assert response.status_code == 422
    assert "Wrong email or password." in response.get_data(as_text=True)


def test_next_is_honoured_for_local_paths_only(client, team):
    response = login(client, "organizer@example.test", next="/team")
    assert response.headers["Location"] == "/team"
    logout(client)
    for evil in ("https://evil.example/x", "//evil.example/x", "/\\evil.example"):
        response = login(client, "organizer@example.test", next=evil)
        assert response.status_code == 302
        assert response.headers["Location"] == "/manage/events", evil
        logout(client)


def test_door_staff_land_on_the_scanner_or_home(app, client, team):
    response = login(client, "door@example.test")
    assert response.status_code == 302
    expected = "/" if "checkin.scanner" not in app.view_functions else None
    if expected is None:
        with app.test_request_context():
            from flask import url_for

            expected = url_for("checkin.scanner")
    assert response.headers["Location"] == expected
    # Door staff never reach the organizer pages.
    assert client.get("/manage/events").status_code == 403


def test_anonymous_visitor_is_sent_to_login_with_next(client, team):
    response = client.get("/manage/events")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_is_a_post_with_csrf(client, team):
    login(client, "organizer@example.test")
    assert client.get("/logout").status_code == 405
    refused = client.post("/logout")  # no CSRF token
    assert refused.status_code == 400
    assert client.get("/manage/events").status_code == 200  # still logged in

    response = logout(client)
    assert response.status_code == 302
    assert client.get("/manage/events").status_code == 302
    assert "Log in" in client.get("/").get_data(as_text=True)


def test_login_post_without_csrf_token_is_refused(client, team):
    response = client.post("/login", data={"email": "organizer@example.test", "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/manage/events").status_code == 302


def test_login_with_a_stale_csrf_token_from_another_session_is_refused(app, client, team):
    other = app.test_client()
    token = csrf_token(other.get("/login").data)
    client.get("/login")
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": "organizer@example.test", "password": PASSWORD},
    )
    assert response.status_code == 400


def test_failed_logins_are_rate_limited_per_ip(client, team):
    token = csrf_token(client.get("/login").data)
    bad = {"csrf_token": token, "email": "organizer@example.test", "password": "guess-guess"}
    statuses = [client.post("/login", data=bad).status_code for _ in range(10)]
    assert statuses == [422] * 10
    blocked = client.post("/login", data=bad)
    assert blocked.status_code == 429
    # Even the right password waits until the window passes.
    right = {**bad, "password": PASSWORD}
    assert client.post("/login", data=right).status_code == 429
    # Another address is not affected, except for the account under attack
    # (tests/security/test_login_attacks.py: it is limited from every address).
    other = {**right, "email": "door@example.test"}
    assert (
        client.post("/login", data=other, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code
        == 302
    )


def test_successful_logins_do_not_use_up_the_limit(client, team):
    for _ in range(12):
        assert login(client, "organizer@example.test").status_code == 302
        logout(client)


def test_the_session_cookie_is_signed_and_only_read_when_sent(client, team):
    """Sessions skip the signer when no cookie comes (API calls); a sent one is still checked."""
    assert "Set-Cookie" not in client.get("/healthz").headers
    assert login(client, "organizer@example.test").status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None and client.get("/manage/events").status_code == 200
    # A forged cookie is not a session: back to the login form.
    client.set_cookie("session", cookie.value[:-2] + ("AA" if cookie.value[-2:] != "AA" else "BB"))
    assert client.get("/manage/events").status_code == 302
    client.delete_cookie("session")
    assert client.get("/manage/events").status_code == 302
