"""Shared data for the events tests: two organizations, tokens of each role."""

from dataclasses import dataclass

import pytest

from tests.support import factories


@dataclass
class Orgs:
    org: object
    other_org: object
    organizer_token: str
    owner_token: str
    door_token: str
    other_token: str

    @staticmethod
    def auth(token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def orgs(db):
    org = factories.organization("Songs for Shelter")
    other = factories.organization("Other Org")
    data = Orgs(
        org=org,
        other_org=other,
        organizer_token=factories.token(org, "organizer"),
        owner_token=factories.token(org, "owner"),
        door_token=factories.token(org, "door"),
        other_token=factories.token(other, "organizer"),
    )
    db.session.commit()
    return data
