"""Languages: an organization with a concert whose names are not English words."""

from datetime import UTC, datetime

import pytest

from tests.support import factories as f
from tests.support.catalogs import compile_catalogs


@pytest.fixture(autouse=True)
def _compiled_catalogs():
    compile_catalogs()


@pytest.fixture
def org(db):
    organization = f.organization("Песни для приюта")
    db.session.commit()
    return organization


@pytest.fixture
def concert(db, org):
    event = f.event(
        org,
        currency="TRY",
        name="Концерт «Весна»",
        venue="Зал Моды",
        beneficiary="Фонд помощи беженцам",
        starts_at=datetime(2026, 12, 26, 16, 30, tzinfo=UTC),  # 19:30 in Istanbul
        timezone="Europe/Istanbul",
        goal_minor=10_000_000,
    )
    f.tier(event, name="Партер", price_minor=75_000, capacity=100)
    db.session.commit()
    return event
