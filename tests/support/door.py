"""The door: an organization with an event, a paid ticket and door tokens; scanning it."""

import itertools
from dataclasses import dataclass

from tests.support import factories
from ticketing.tickets.codes import new_code

_nonces = itertools.count(1)


@dataclass
class Door:
    org: object
    event: object
    other_event: object
    tier: object
    order: object
    ticket: object
    door_token: str
    organizer_token: str

    def headers(self, token: str | None = None) -> dict:
        return {"Authorization": f"Bearer {token or self.door_token}"}


def build_door(db) -> Door:
    """One organization, two events, one paid ticket, a door and an organizer token.

    The test's session keeps loaded values after commit, so that reading
    `door.ticket.code` does not open a transaction (on SQLite, a write lock)
    while the app under test is answering.
    """
    db.session().expire_on_commit = False
    org = factories.organization()
    event = factories.event(org, name="Benefit night", timezone="Europe/Istanbul")
    other_event = factories.event(org, name="Second night")
    tier = factories.tier(event, name="Standard")
    order = factories.paid_order(event, [(tier, 1)], buyer="Ada Lovelace")
    ticket = factories.ticket(order, tier, new_code())
    data = Door(
        org=org,
        event=event,
        other_event=other_event,
        tier=tier,
        order=order,
        ticket=ticket,
        door_token=factories.token(org, "door"),
        organizer_token=factories.token(org, "organizer"),
    )
    db.session.commit()
    return data


def fresh_nonce() -> str:
    return f"nonce-{next(_nonces)}"


def scan(client, door: Door, code: str, token: str | None = None, **fields):
    return client.post(
        "/api/v1/checkins", json={"code": code, **fields}, headers=door.headers(token)
    )


def settle(db) -> None:
    """End the test's own transaction so the app under test can write (SQLite)."""
    db.session.commit()
