"""A whole small world for the tests that cross every domain (tests/support/world.py)."""

import pytest

from tests.support.world import World, build_world


@pytest.fixture
def world(db) -> World:
    return build_world(db)
