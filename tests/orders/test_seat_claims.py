"""The seats each tier has claimed, kept by database triggers (migration 0003).

`ticket_types.seats_claimed` is the oversell guard: it must always equal the
seats in pending, paid and partially refunded orders, whoever writes them,
and the database must refuse any claim past capacity.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from tests.support import factories as f
from ticketing.database import utcnow
from ticketing.events.models import TicketType
from ticketing.extensions import db as database
from ticketing.orders import services
from ticketing.orders.claims import SoldOut, over_capacity
from ticketing.orders.door import record_door_sale
from ticketing.orders.models import Order, OrderLine
from ticketing.orders.services import (
    ItemRequest,
    create_order,
    expire_holds,
    reclaim_seats,
    release_hold,
)

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied

CLAIMING = ("pending", "paid", "partially_refunded")


def claimed(db, tier) -> int:
    return db.session.execute(
        select(TicketType.seats_claimed).where(TicketType.id == tier.id)
    ).scalar_one()


def recount(db, tier) -> int:
    """What the counter must say, counted from the orders themselves."""
    return db.session.execute(
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.ticket_type_id == tier.id, Order.status.in_(CLAIMING))
    ).scalar_one()


def buy(event, tier, quantity):
    return buy_items(event, [ItemRequest(tier.id, quantity)])


def buy_items(event, items):
    hold = create_order(event, buyer_name="Ada", buyer_email="ada@example.test", items=items)
    return database.session.get(Order, hold.id)


@pytest.fixture
def event(db):
    ev = f.event(f.organization())
    db.session.commit()
    return ev


def test_claims_follow_every_status_change(db, event):
    tier, other = f.tier(event, capacity=10), f.tier(event, capacity=10)
    held = buy(event, tier, 3)
    assert claimed(db, tier) == 3 == recount(db, tier)
    both = buy_items(event, [ItemRequest(other.id, 2), ItemRequest(tier.id, 1)])
    assert (claimed(db, tier), claimed(db, other)) == (4, 2)
    release_hold(held, "canceled")
    assert claimed(db, tier) == 1 == recount(db, tier)
    both.status = "paid"
    db.session.flush()
    assert (claimed(db, tier), claimed(db, other)) == (1, 2)
    both.status = "partially_refunded"
    db.session.flush()
    assert claimed(db, other) == 2
    both.status = "refunded"
    db.session.flush()
    assert (claimed(db, tier), claimed(db, other)) == (0, 0)
    door = f.paid_order(event, [(tier, 4)])
    assert claimed(db, tier) == 4 == recount(db, tier)
    db.session.delete(door)
    db.session.flush()
    assert claimed(db, tier) == 0 == recount(db, tier)


def test_expiry_releases_and_a_late_payment_claims_again(db, event):
    tier = f.tier(event, capacity=2)
    order = buy(event, tier, 2)
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert claimed(db, tier) == 2  # a lapsed hold keeps its claim until marked
    assert expire_holds() == 1
    assert claimed(db, tier) == 0
    order = db.session.get(Order, order.id)
    assert reclaim_seats(order) and order.status == "pending"
    assert claimed(db, tier) == 2 == recount(db, tier)


def test_a_late_payment_cannot_claim_seats_sold_since(db, event):
    tier = f.tier(event, capacity=1)
    first = buy(event, tier, 1)
    first.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    second = buy(event, tier, 1)  # releases the lapsed hold to get the seat
    assert db.session.get(Order, first.id).status == "expired"
    assert not reclaim_seats(first)
    assert first.status == "expired" and second.status == "pending"
    assert claimed(db, tier) == 1 == recount(db, tier)


def test_the_database_refuses_a_claim_past_capacity(db, event):
    tier = f.tier(event, capacity=2)
    db.session.commit()
    with pytest.raises(IntegrityError) as refused:
        f.paid_order(event, [(tier, 3)])
    assert over_capacity(refused.value)
    db.session.rollback()
    assert claimed(db, tier) == 0
    # Lowering the count, or capacity, is never refused by the guard itself.
    f.paid_order(event, [(tier, 2)])
    db.session.execute(update(TicketType).where(TicketType.id == tier.id).values(capacity=1))
    db.session.flush()
    assert claimed(db, tier) == 2


def test_sold_out_says_what_is_left_and_keeps_the_callers_work(db, event):
    tier = f.tier(event, capacity=3)
    kept = buy(event, tier, 2)
    with pytest.raises(SoldOut) as refused:
        buy(event, tier, 2)
    assert refused.value.extra["available"] == {str(tier.id): 1}
    assert db.session.get(Order, kept.id).status == "pending"  # not rolled back
    assert claimed(db, tier) == 2 == recount(db, tier)


def test_a_claim_that_loses_a_race_is_undone_alone(db, event, monkeypatch):
    """When the counter read before the claim was stale (another buyer took the
    seats in between), the database refuses the claim: only the savepoint is
    undone, lapsed holds are released, and the answer is still sold out."""
    tier = f.tier(event, capacity=3)
    kept = buy(event, tier, 2)
    lapsed = buy(event, tier, 1)
    lapsed.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    priced = services._priced_lines
    monkeypatch.setattr(services, "_priced_lines", lambda *args: (priced(*args)[0], set()))
    with pytest.raises(SoldOut) as refused:
        buy(event, tier, 2)  # the claim fails in the database, then once more
    assert refused.value.extra["available"] == {str(tier.id): 1}
    assert db.session.get(Order, lapsed.id).status == "expired"
    assert db.session.get(Order, kept.id).status == "pending"
    assert db.session.scalar(select(func.count()).select_from(Order)) == 2  # no stray order
    assert claimed(db, tier) == 2 == recount(db, tier)
    assert buy(event, tier, 1).status == "pending"  # the released seat sells
    assert claimed(db, tier) == 3 == recount(db, tier)


def test_door_sales_claim_seats_and_release_lapsed_holds(db, event):
    tier = f.tier(event, capacity=2)
    hold = buy(event, tier, 2)
    hold.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    record_door_sale(event, ticket_type_id=tier.id, quantity=2, method="cash")
    assert db.session.get(Order, hold.id).status == "expired"
    assert claimed(db, tier) == 2 == recount(db, tier)
    with pytest.raises(SoldOut):
        record_door_sale(event, ticket_type_id=tier.id, quantity=1, method="cash")
    assert claimed(db, tier) == 2


def test_a_short_tier_releases_only_its_own_lapsed_holds(db, event):
    """A claim that finds its tier short first asks whether anything on that
    tier has lapsed (one read); a lapsed hold of another tier is not its
    business and stays as it is until the sweep."""
    tier, other = f.tier(event, capacity=1), f.tier(event, capacity=1)
    kept = buy(event, tier, 1)
    elsewhere = buy(event, other, 1)
    elsewhere.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    with pytest.raises(SoldOut):
        buy(event, tier, 1)
    assert db.session.get(Order, elsewhere.id).status == "pending"  # not released by it
    assert claimed(db, other) == 1 == recount(db, other)
    assert expire_holds(tier_ids=[tier.id]) == 0
    kept.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    assert buy(event, tier, 1).status == "pending"  # its own lapsed hold gave the seat back
    assert db.session.get(Order, kept.id).status == "expired"
    assert claimed(db, tier) == 1 == recount(db, tier)
