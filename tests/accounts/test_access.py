"""The one rule for "may this caller see this event, or a row of it"
(ticketing/accounts/access.py); every domain's lookups go through it."""

import pytest
from werkzeug.exceptions import NotFound

from tests.support import factories
from ticketing.accounts.access import visible, visible_or_404
from ticketing.accounts.auth import Principal
from ticketing.events.models import Event
from ticketing.orders.models import Order


@pytest.fixture
def world(db):
    ours, theirs = factories.organization(), factories.organization()
    concert, matinee = factories.event(ours), factories.event(ours)
    foreign = factories.event(theirs)
    order = factories.paid_order(concert, [(factories.tier(concert), 1)])
    db.session.flush()
    return {
        "ours": ours,
        "concert": concert,
        "matinee": matinee,
        "foreign": foreign,
        "order": order,
    }


def _caller(world, role="organizer", event=None) -> Principal:
    return Principal(1, world["ours"].id, role, None if event is None else event.id)


def test_the_callers_own_organizations_events_and_their_rows(world):
    caller = _caller(world)
    assert visible(caller, Event, world["concert"].id) is world["concert"]
    assert visible(caller, Order, world["order"].id, lambda o: o.event) is world["order"]


def test_another_organizations_event_is_not_found(world):
    assert visible(_caller(world), Event, world["foreign"].id) is None
    with pytest.raises(NotFound):
        visible_or_404(_caller(world), Event, world["foreign"].id, "No such event.")


def test_a_token_bound_to_one_event_sees_only_that_event(world):
    bound = _caller(world, "door", event=world["matinee"])
    assert visible(bound, Event, world["matinee"].id) is world["matinee"]
    assert visible(bound, Event, world["concert"].id) is None
    assert visible(bound, Order, world["order"].id, lambda o: o.event) is None


def test_no_caller_and_impossible_ids_see_nothing(world):
    assert visible(None, Event, world["concert"].id) is None
    for ident in (0, -1, 2**31, 10**20):
        assert visible(_caller(world), Event, ident) is None
