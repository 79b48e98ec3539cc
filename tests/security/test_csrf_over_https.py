"""Forms keep working over HTTPS although no page sends a Referer.

Every page says `Referrer-Policy: no-referrer` (order links are keys), so a
browser posts a form with no Referer header. Flask-WTF's default HTTPS check
(WTF_CSRF_SSL_STRICT) refused exactly that: every form in production would
have answered 400. The session-bound CSRF token still decides.
"""

import pytest

from tests.support.web import PASSWORD, csrf_token
from tests.support.world import build_world

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied

HTTPS = "https://tickets.example.test"


@pytest.fixture
def world(db):
    return build_world(db)


def login_over_https(client, token: str | None):
    form = {"email": "organizer@example.test", "password": PASSWORD}
    if token:
        form["csrf_token"] = token
    return client.post("/login", data=form, base_url=HTTPS)  # no Referer, as browsers send


def test_a_form_with_its_token_and_no_referer_works(app, world):
    client = app.test_client()
    page = client.get("/login", base_url=HTTPS)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    response = login_over_https(client, csrf_token(page.data))
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert "/login" not in response.headers["Location"]


def test_without_its_token_it_is_still_refused(app, world):
    client = app.test_client()
    client.get("/login", base_url=HTTPS)
    response = login_over_https(client, None)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
