"""Acting as a person in the test client: CSRF tokens, the login form, session keys."""

import re

from flask import g

# The password tests/support/factories.py gives every member it creates.
PASSWORD = "password-123"

_INPUT = re.compile(r"<input[^>]*>")
_VALUE = re.compile(r"value=\"([^\"]+)\"")


def csrf_token(html: str | bytes, name: str = "csrf_token") -> str:
    """The value of the first CSRF input called `name` on a page (forms may use prefixes)."""
    if isinstance(html, bytes):
        html = html.decode()
    for tag in _INPUT.findall(html):
        if f'name="{name}"' in tag:
            return _VALUE.search(tag).group(1)
    raise AssertionError(f"no {name} input on the page")


def login(client, email: str, password: str = PASSWORD, next: str | None = None):  # noqa: A002
    """Log in through the real form; returns the POST's response (302 when it worked)."""
    page = client.get("/login")
    assert page.status_code == 200
    url = "/login" if next is None else f"/login?next={next}"
    return client.post(
        url, data={"csrf_token": csrf_token(page.data), "email": email, "password": password}
    )


def logout(client):
    """Log out with the nav's POST form (it carries the CSRF token)."""
    page = client.get("/")
    return client.post("/logout", data={"csrf_token": csrf_token(page.data)})


def post_form(client, url: str, data: dict, page_url: str | None = None):
    """POST a form the way a browser does: fetch the page first for its CSRF token."""
    page = client.get(page_url or url)
    return client.post(url, data={"csrf_token": csrf_token(page.data), **data})


def login_session(client, user_id: int) -> None:
    """Log a test client in by Flask-Login's session keys (the form is tested elsewhere),
    at the user's current session version (a logout earlier in the test ends older ones)."""
    from sqlalchemy import select

    from ticketing.accounts.auth import SESSION_VERSION_KEY
    from ticketing.accounts.models import User
    from ticketing.extensions import db

    version = db.session.scalar(select(User.session_version).where(User.id == user_id))
    db.session.commit()  # end the read (SQLite: tests begin IMMEDIATE, the request would wait)
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
        session[SESSION_VERSION_KEY] = version or 0


def login_as(client, user) -> None:
    login_session(client, user.id)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def forget_caller_between_requests(app) -> None:
    """Forget the caller between requests, as production does.

    The shared `db` fixture keeps one app context pushed for the whole test,
    and Flask reuses it for every test-client request, so `g` (where
    current_principal() and Flask-Login cache the caller) would otherwise
    carry one request's caller into the next.
    """

    def forget_caller():
        g.pop("principal", None)
        g.pop("_login_user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget_caller)
