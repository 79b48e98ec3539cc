"""Checkout rules that need no payment: validation, money, free orders, holds."""

from datetime import timedelta

import pytest

from tests.support import factories as f
from ticketing.database import utcnow
from ticketing.errors import ValidationFailed
from ticketing.extensions import db as database
from ticketing.orders.access import token_matches
from ticketing.orders.claims import SoldOut
from ticketing.orders.models import Order
from ticketing.orders.services import ItemRequest, create_order, expire_holds

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


@pytest.fixture
def event(db):
    org = f.organization()
    ev = f.event(org)
    db.session.commit()
    return ev


def buy(ev, items, donation=0):
    """The stored order (as the ORM loads it) and its token."""
    hold = create_order(
        ev, buyer_name="Ada", buyer_email="ada@example.test", items=items, donation_minor=donation
    )
    order = database.session.get(Order, hold.id)
    # What checkout tells the buyer and Stripe is what was stored.
    assert (hold.status, hold.total_minor, hold.currency) == (
        order.status,
        order.total_minor,
        order.currency,
    )
    assert (hold.expires_at, hold.created_at) == (order.expires_at, order.created_at)
    assert [(line.ticket_type_id, line.quantity, line.unit_price_minor) for line in hold.lines] == [
        (line.ticket_type_id, line.quantity, line.unit_price_minor) for line in order.lines
    ]
    return order, hold.token


def test_a_hold_counts_until_it_expires(db, event):
    tier = f.tier(event, capacity=3)
    order, token = buy(event, [ItemRequest(tier.id, 3)])
    assert order.status == "pending" and order.expires_at > utcnow() + timedelta(minutes=30)
    assert token.startswith("ord_") and order.access_token_hash not in ("", token)
    assert token_matches(order, token) and not token_matches(order, token + "x")
    with pytest.raises(SoldOut) as refused:
        buy(event, [ItemRequest(tier.id, 1)])
    assert refused.value.extra["available"] == {str(tier.id): 0}
    order.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    second, _ = buy(event, [ItemRequest(tier.id, 3)])  # the lapsed hold no longer counts
    assert second.status == "pending"


def test_expire_holds_frees_seats(db, event):
    tier = f.tier(event, capacity=1)
    order, _ = buy(event, [ItemRequest(tier.id, 1)])
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert expire_holds() == 1
    assert db.session.get(Order, order.id).status == "expired"


def test_free_order_is_paid_at_once_with_tickets(db, event):
    tier = f.tier(event, price_minor=0, capacity=5)
    order, _ = buy(event, [ItemRequest(tier.id, 2)])
    assert order.status == "paid" and order.total_minor == 0
    assert len(order.tickets) == 2 and all(len(t.code) == 26 for t in order.tickets)


@pytest.mark.parametrize(
    ("tier_fields", "item", "field"),
    [
        ({"max_per_order": 2}, {"quantity": 3}, "items.0.quantity"),
        (
            {"pay_what_you_want": True, "min_price_minor": 500},
            {"quantity": 1, "price_minor": 499},
            "items.0.price_minor",
        ),
        ({}, {"quantity": 1, "price_minor": 1}, "items.0.price_minor"),
        ({"sales_start": utcnow() + timedelta(days=1)}, {"quantity": 1}, "items.0"),
        ({"sales_end": utcnow() - timedelta(days=1)}, {"quantity": 1}, "items.0"),
    ],
)
def test_invalid_requests_name_the_field(db, event, tier_fields, item, field):
    tier = f.tier(event, **tier_fields)
    with pytest.raises(ValidationFailed) as refused:
        buy(event, [ItemRequest(tier.id, **item)])
    assert refused.value.field == field


def test_tier_of_another_event_is_refused(db, event):
    other = f.tier(f.event(f.organization()))
    with pytest.raises(ValidationFailed, match="not sold for this event"):
        buy(event, [ItemRequest(other.id, 1)])


def test_pay_what_you_want_defaults_to_the_suggested_price(db, event):
    tier = f.tier(event, pay_what_you_want=True, price_minor=1500, min_price_minor=500)
    order, _ = buy(event, [ItemRequest(tier.id, 2)])
    assert order.tickets_minor == 3000 and order.lines[0].unit_price_minor == 1500


def test_donation_alone_is_an_order_without_tickets(db, event):
    order, _ = buy(event, [], donation=2500)
    assert order.total_minor == 2500 and order.lines == [] and order.status == "pending"


def test_nothing_to_buy_is_refused(db, event):
    with pytest.raises(ValidationFailed) as refused:
        buy(event, [], donation=0)
    assert refused.value.field == "items"


@pytest.mark.parametrize(
    ("currency", "price", "ok"),
    [
        ("USD", 49, False),
        ("USD", 50, True),
        ("JPY", 49, False),
        ("JPY", 50, False),  # Stripe's JPY floor, but below 0.50 USD (the settlement currency)
        ("JPY", 100, True),
        ("KWD", 12345, False),
        ("KWD", 12340, True),
    ],
)
def test_stripe_money_rules_per_currency(db, currency, price, ok):
    ev = f.event(f.organization(), currency=currency)
    tier = f.tier(ev, price_minor=price)
    if ok:
        order, _ = buy(ev, [ItemRequest(tier.id, 1)])
        assert (order.total_minor, order.currency) == (price, currency)
    else:
        with pytest.raises(ValidationFailed) as refused:
            buy(ev, [ItemRequest(tier.id, 1)])
        assert refused.value.field == "total_minor"
