"""Payments after a lapsed hold, refunds through Stripe, and money in other currencies."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.support import factories as f
from tests.support.orders import count
from tests.support.servers import wait_for
from ticketing.database import utcnow
from ticketing.events.totals import event_totals
from ticketing.orders.models import Order
from ticketing.payments.models import LedgerEntry, Refund
from ticketing.tickets.models import Ticket


def lapse(db, order_id: int) -> None:
    """Our hold ends (the buyer is still on Stripe's page)."""
    db.session.execute(
        update(Order).where(Order.id == order_id).values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()


@pytest.fixture
def one_seat(db, org):
    event = f.event(org)
    tier = f.tier(event, capacity=1, price_minor=3000)
    db.session.commit()
    return event, tier


def test_late_payment_is_honoured_when_the_seat_is_still_free(shop, db, one_seat):
    event, tier = one_seat
    created = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 1}]).json()
    lapse(db, created["id"])
    shop.pay(created)
    order = db.session.get(Order, created["id"])
    assert order.status == "paid" and not order.needs_attention
    assert count(db, Ticket) == 1


def test_late_payment_after_the_seat_was_resold_is_refunded_and_flagged(make_shop, db, one_seat):
    shop = make_shop("async")  # as Stripe: the webhook comes after the payment page
    event, tier = one_seat
    first = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 1}]).json()
    lapse(db, first["id"])
    second = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 1}])
    assert second.status_code == 201  # the lapsed hold no longer counts
    shop.pay(second.json())
    wait_for(lambda: db.session.get(Order, second.json()["id"]).status == "paid", db)
    # The second checkout released the lapsed hold (now "expired").
    assert db.session.get(Order, first["id"]).status == "expired"
    shop.pay(first)  # the first buyer finally pays
    wait_for(lambda: db.session.get(Order, first["id"]).status not in ("pending", "expired"), db)

    late = db.session.get(Order, first["id"])
    assert late.status == "refunded" and late.needs_attention
    assert "refunded" in late.attention_reason
    assert count(db, Ticket, Ticket.order_id == late.id) == 0
    assert db.session.get(Order, second.json()["id"]).status == "paid"
    assert count(db, Ticket) == 1  # never oversold
    refund = db.session.execute(select(Refund).where(Refund.order_id == late.id)).scalar_one()
    stripe_refund = shop.standin.client().v1.refunds.retrieve(refund.stripe_refund_id)
    assert stripe_refund.amount == 3000 and stripe_refund.status == "succeeded"
    totals = event_totals(event)
    assert totals["tickets_minor"] == 6000 and totals["refunds_minor"] == 3000
    assert totals["raised_minor"] == 3000


@pytest.fixture
def paid_order(make_shop, db, org):
    shop = make_shop("async")  # Stripe sends charge.refunded after the refund returns
    event = f.event(org)
    tier = f.tier(event, price_minor=2500)
    db.session.commit()
    created = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 2}]).json()
    shop.pay(created)
    token = f.token(db.session.get(type(org), org.id), "organizer")
    db.session.commit()
    wait_for(lambda: db.session.get(Order, created["id"]).status == "paid", db)
    return shop, event, created, {"Authorization": f"Bearer {token}"}


def test_partial_then_full_refund_through_stripe(paid_order, db):
    shop, event, created, auth = paid_order
    path = f"/api/v1/orders/{created['id']}/refund"
    partial = shop.api("POST", path, json={"amount_minor": 1000}, headers=auth)
    assert partial.status_code == 200, partial.text
    assert partial.json()["status"] == "partially_refunded"
    assert partial.json()["refunded_minor"] == 1000
    assert {t["status"] for t in partial.json()["tickets"]} == {"valid"}
    too_much = shop.api("POST", path, json={"amount_minor": 5000}, headers=auth)
    assert too_much.status_code == 422 and "amount_minor" in too_much.json()["errors"]
    rest = shop.api("POST", path, json={}, headers=auth)
    assert rest.status_code == 200 and rest.json()["status"] == "refunded"
    assert {t["status"] for t in rest.json()["tickets"]} == {"revoked"}
    again = shop.api("POST", path, json={}, headers=auth)
    assert again.status_code == 409
    # Stripe's charge.refunded webhooks arrive later and record nothing twice.
    wait_for(
        lambda: (
            len(
                [
                    e
                    for e in shop.standin.events("charge.refunded")
                    if e["delivery"].get("status") in ("delivered", "succeeded")
                ]
            )
            >= 2
            or _all_delivered(shop)
        ),
        db,
    )
    assert count(db, Refund) == 2
    refunds = (
        db.session.execute(select(LedgerEntry.amount_minor).where(LedgerEntry.kind == "refund"))
        .scalars()
        .all()
    )
    assert sorted(refunds) == [1000, 4000]
    charge = shop.standin.client().v1.payment_intents.retrieve(
        db.session.get(Order, created["id"]).stripe_payment_intent_id
    )
    assert charge.amount_received == 5000


def _all_delivered(shop) -> bool:
    events = shop.standin.events("charge.refunded")
    return len(events) >= 2 and all(e["delivery"] for e in events)


def test_refund_needs_an_organizer_of_that_organization(paid_order, db):
    shop, event, created, _ = paid_order
    path = f"/api/v1/orders/{created['id']}/refund"
    assert shop.api("POST", path, json={}).status_code == 401
    door = f.token(event.organization, "door")
    stranger = f.token(f.organization(), "organizer")
    db.session.commit()
    assert (
        shop.api("POST", path, json={}, headers={"Authorization": f"Bearer {door}"}).status_code
        == 403
    )
    assert (
        shop.api("POST", path, json={}, headers={"Authorization": f"Bearer {stranger}"}).status_code
        == 404
    )
    assert db.session.get(Order, created["id"]).status == "paid"


@pytest.mark.parametrize(("currency", "price"), [("JPY", 3000), ("USD", 2550), ("KWD", 12340)])
def test_money_passes_to_stripe_unchanged_in_minor_units(shop, db, org, currency, price):
    event = f.event(org, currency=currency)
    tier = f.tier(event, price_minor=price)
    db.session.commit()
    created = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 2}]).json()
    session = shop.standin.client().v1.checkout.sessions.retrieve(shop.session_id(created))
    assert (session.amount_total, session.currency) == (2 * price, currency.lower())
    shop.pay(created)
    assert event_totals(event)["tickets_minor"] == 2 * price


def test_below_minimum_and_odd_three_decimal_totals_are_refused_clearly(shop, db, org):
    usd = f.tier(f.event(org, currency="USD"), price_minor=49)
    kwd = f.tier(f.event(org, currency="KWD"), price_minor=12345)
    db.session.commit()
    low = shop.buy(usd.event_id, [{"ticket_type_id": usd.id, "quantity": 1}])
    assert low.status_code == 422 and "$0.50" in low.json()["errors"]["total_minor"][0]
    odd = shop.buy(kwd.event_id, [{"ticket_type_id": kwd.id, "quantity": 1}])
    assert odd.status_code == 422 and "multiple of 10" in odd.json()["message"]
    assert count(db, Order) == 0
