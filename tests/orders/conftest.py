"""Data for the selling tests: an organization with a published event."""

import pytest
from sqlalchemy import func, select

from tests import factories as f


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


def count(db, model, *where) -> int:
    """Count in a fresh transaction (an open one would see an old SQLite snapshot)."""
    db.session.commit()
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar()
