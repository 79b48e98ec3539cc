"""Shared data for the door tests: an organization with an event, tiers and tickets.

The builders and the scan helpers are in tests/support/door.py.
"""

import pytest

from tests.support.door import Door, build_door


@pytest.fixture
def client(served_app):
    return served_app.test_client()


@pytest.fixture
def door(db) -> Door:
    return build_door(db)
