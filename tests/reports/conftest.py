"""Data for the money tests: an organization with an event, its people and tokens.

Organizers are logged in by writing Flask-Login's session keys directly, so
these tests do not depend on the login form (tested by accounts).
"""

import re
from dataclasses import dataclass

import pytest
from flask import g

from tests import factories
from ticketing.tickets.services import issue_tickets

_INPUT = re.compile(r"<input[^>]*>")


@pytest.fixture(autouse=True)
def fresh_request_globals(app):
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


def login_as(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def csrf_token(html: bytes | str, name: str = "csrf_token") -> str:
    """The value of the CSRF input called `name` (forms here use prefixes)."""
    if isinstance(html, bytes):
        html = html.decode()
    for tag in _INPUT.findall(html):
        if f'name="{name}"' in tag:
            return re.search(r'value="([^"]+)"', tag).group(1)
    raise AssertionError(f"no {name} input on the page")


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Shop:
    org: object
    organizer: object  # a Membership
    door: object
    event: object
    tier: object
    organizer_token: str
    door_token: str
    other_org: object
    other_organizer: object
    other_token: str


@pytest.fixture
def shop(db):
    """Our organization with a USD event (goal $1,000.00, one $25.00 tier of 100), and a rival."""
    org = factories.organization("Songs for Shelter")
    event = factories.event(org, currency="USD", goal_minor=100_000)
    tier = factories.tier(event, name="Standard", price_minor=2500, capacity=100)
    organizer = factories.member(org, "organizer")
    door = factories.member(org, "door")
    other = factories.organization("Rival Org")
    other_organizer = factories.member(other, "organizer")
    from ticketing.accounts.services import issue_token

    _, organizer_token = issue_token(organizer, "organizer")
    _, door_token = issue_token(door, "door")
    _, other_token = issue_token(other_organizer, "organizer")
    db.session.commit()
    return Shop(
        org, organizer, door, event, tier, organizer_token, door_token, other,
        other_organizer, other_token,
    )  # fmt: skip


def card_order(
    event, tier, quantity: int, buyer: str = "Ada Buyer", email: str = "ada@example.test"
):
    """A paid online order with its tickets, as fulfilment leaves it (ledger not written)."""
    order = factories.paid_order(event, [(tier, quantity)], buyer=buyer)
    order.buyer_email = email
    issue_tickets(order)
    return order
