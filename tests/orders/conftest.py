"""Data for the selling tests: an organization with a published event."""

import pytest

from tests.support import factories as f


@pytest.fixture
def org(db):
    organization = f.organization()
    db.session.commit()
    return organization


@pytest.fixture
def concert(db, org):
    event = f.event(org, currency="USD")
    f.tier(event, name="Standard", price_minor=2500, capacity=100)
    db.session.commit()
    return event
