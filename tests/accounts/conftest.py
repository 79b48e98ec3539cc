"""Shared helpers for tests that need a logged-in person.

Other domains import them: `from tests.accounts.conftest import login`.
`login` goes through the real form, CSRF token included, like a browser.
"""

import re
from dataclasses import dataclass

import pytest

from tests import factories

# The password tests/factories.py gives every member it creates.
PASSWORD = "password-123"

_CSRF_INPUT = re.compile(r"<input[^>]*name=\"csrf_token\"[^>]*>")
_VALUE = re.compile(r"value=\"([^\"]+)\"")


def csrf_token(html: str | bytes) -> str:
    """The CSRF token of the first form on a page."""
    if isinstance(html, bytes):
        html = html.decode()
    tag = _CSRF_INPUT.search(html)
    assert tag, "no csrf_token input on the page"
    return _VALUE.search(tag.group(0)).group(1)


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


@dataclass
class Team:
    org: object
    owner: object
    organizer: object
    door: object
    other_org: object
    other_organizer: object


@pytest.fixture
def team(db):
    """Two organizations: ours (owner, organizer, door) and another one."""
    org = factories.organization("Songs for Shelter")
    other = factories.organization("Other Org")
    data = Team(
        org=org,
        owner=factories.member(org, "owner", email="owner@example.test"),
        organizer=factories.member(org, "organizer", email="organizer@example.test"),
        door=factories.member(org, "door", email="door@example.test"),
        other_org=other,
        other_organizer=factories.member(other, "organizer", email="rival@example.test"),
    )
    db.session.commit()
    return data
