"""Shared data for the events tests: two organizations, tokens of each role."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from tests import factories
from tests.accounts.conftest import team  # noqa: F401  (the shared `team` fixture)
from ticketing.database import utcnow


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


def pending_order(event, tiers_quantities, minutes: int = 30):
    """A checkout still holding its seats (or, with minutes < 0, a lapsed hold)."""
    order = factories.paid_order(event, tiers_quantities)
    order.status = "pending"
    order.paid_at = None
    order.expires_at = utcnow() + timedelta(minutes=minutes)
    return order
