"""Data for the money tests: an organization with an event, its people and tokens.

Organizers are logged in by writing Flask-Login's session keys directly, so
these tests do not depend on the login form (tested by accounts).
"""

import pytest

from tests.support.money import MoneyShop, build_money_shop


@pytest.fixture(autouse=True)
def _forget_caller(fresh_request_globals):
    """Each request finds the caller anew (tests/support/web.py)."""


@pytest.fixture
def shop(db) -> MoneyShop:
    return build_money_shop(db)
