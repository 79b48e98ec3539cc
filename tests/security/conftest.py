"""Fixtures for the attack tests: an organization with people and a concert."""

import pytest

from tests.support import factories


@pytest.fixture
def org(db):
    organization = factories.organization("Songs for Shelter")
    db.session.commit()
    return organization


@pytest.fixture
def organizer(db, org):
    membership = factories.member(org, "owner", email="organizer@example.test")
    db.session.commit()
    return membership


@pytest.fixture
def door(db, org):
    membership = factories.member(org, "door", email="door@example.test")
    db.session.commit()
    return membership


@pytest.fixture
def concert(db, org):
    event = factories.event(org, currency="USD")
    factories.tier(event, name="Standard", price_minor=2500, capacity=100)
    factories.tier(event, name="Patron", price_minor=60000, capacity=10)
    db.session.commit()
    return event
