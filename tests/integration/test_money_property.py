"""Property: whatever card orders, refunds, cash donations and voids happen, the
event's totals equal what the Stripe stand-in charged, minus what it refunded,
plus what was recorded by hand; and the fees are the stand-in's own fees.

Everything goes over HTTP: the app is served, the stand-in is served, the
stand-in's webhooks come back asynchronously as Stripe's do. The independent
record is the stand-in's own API read through the real SDK. Each example gets
a fresh event, so examples never mix (totals are per event).

It runs twice: an event in the account's settlement currency (USD), and an
EUR event on the same USD-settled account, where Stripe books fees in USD
with an `exchange_rate` and the totals must hold them converted to EUR.

The second property holds with Stripe's disorder: events delivered late, in
any order, retried after a 409; refunds that stay pending, fail or are
canceled (only succeeded refunds count, at Stripe and here).
"""

import json
import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.support import factories
from tests.support.servers import wait_for
from ticketing.orders.models import Order

CARD = "4242424242424242"

buy = st.tuples(
    st.just("buy"),
    st.integers(0, 3),  # fixed-price tickets
    st.integers(0, 2),  # pay-what-you-want tickets
    st.integers(0, 40_000),  # what each pay-what-you-want ticket pays, above the minimum
    st.sampled_from([0, 0, 500, 12_345]),  # donation
)
refund = st.tuples(st.just("refund"), st.integers(0, 20), st.none() | st.integers(1, 12_000))
donation = st.tuples(st.just("cash"), st.integers(1, 250_000))
void = st.tuples(st.just("void"), st.integers(0, 20))
steps = st.lists(st.one_of(buy, buy, refund, refund, donation, void), min_size=1, max_size=6)


def webhook_statuses(shop) -> set[str]:
    events = shop.standin.admin("GET", "/events", params={"limit": 1000}).json()
    return {e["delivery"]["status"] for e in events}


class Example:
    """One example's event and what the test knows by hand."""

    def __init__(self, shop, db, org, auth, currency):
        self.shop, self.db, self.auth = shop, db, auth
        self.event = factories.event(org, currency=currency, goal_minor=500_000)
        self.fixed = factories.tier(self.event, price_minor=2500, capacity=1000)
        self.pwyw = factories.tier(
            self.event, price_minor=1500, capacity=1000, pay_what_you_want=True, min_price_minor=500
        )
        db.session.commit()
        self.orders = {}  # order id -> [total, refunded]
        self.cash = {}  # manual payment id -> amount, while not voided

    def buy(self, fixed: int, pwyw: int, price: int, donation_minor: int) -> None:
        items = []
        if fixed:
            items.append({"ticket_type_id": self.fixed.id, "quantity": fixed})
        if pwyw:
            items.append(
                {"ticket_type_id": self.pwyw.id, "quantity": pwyw, "price_minor": 500 + price}
            )
        if not items and not donation_minor:
            return
        response = self.shop.buy(self.event.id, items, donation_minor=donation_minor)
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["total_minor"] == 2500 * fixed + (500 + price) * pwyw + donation_minor
        assert self.shop.pay(created, CARD).status_code == 200
        wait_for(lambda: self.db.session.get(Order, created["id"]).status == "paid", self.db)
        self.orders[created["id"]] = [created["total_minor"], 0]

    def refund(self, pick: int, amount: int | None) -> None:
        if not self.orders:
            return
        order_id = sorted(self.orders)[pick % len(self.orders)]
        total, refunded = self.orders[order_id]
        body = {} if amount is None else {"amount_minor": amount}
        response = self.shop.api(
            "POST", f"/api/v1/orders/{order_id}/refund", json=body, headers=self.auth
        )
        left = total - refunded
        if left == 0:
            assert response.status_code == 409, response.text
        elif amount is not None and amount > left:
            assert response.status_code == 422, response.text
        else:
            assert response.status_code == 200, response.text
            self.orders[order_id][1] += left if amount is None else amount
            assert response.json()["refunded_minor"] == self.orders[order_id][1]

    def record_cash(self, amount: int) -> None:
        body = {"kind": "donation", "method": "cash", "amount_minor": amount}
        path = f"/api/v1/events/{self.event.id}/manual-payments"
        response = self.shop.api("POST", path, json=body, headers=self.auth)
        assert response.status_code == 201, response.text
        self.cash[response.json()["id"]] = amount

    def void(self, pick: int) -> None:
        if not self.cash:
            return
        payment_id = sorted(self.cash)[pick % len(self.cash)]
        path = f"/api/v1/manual-payments/{payment_id}/void"
        response = self.shop.api("POST", path, json={"reason": "typo"}, headers=self.auth)
        assert response.status_code == 200, response.text
        del self.cash[payment_id]


def stripe_record(shop, db, order_ids) -> dict:
    """Charged, refunded and fees, as the stand-in's own API tells them."""
    stripe = shop.standin.client()
    intents = db.session.execute(
        select(Order.stripe_payment_intent_id).where(Order.id.in_(order_ids))
    ).scalars()
    db.session.rollback()
    charged = refunded = fees = 0
    for intent_id in intents:
        intent = stripe.v1.payment_intents.retrieve(intent_id)
        charge = stripe.v1.charges.retrieve(intent.latest_charge)
        charged += charge.amount
        txn = stripe.v1.balance_transactions.retrieve(charge.balance_transaction)
        fees += in_charge_currency(txn, charge.currency)
        for made in stripe.v1.refunds.list(params={"payment_intent": intent_id, "limit": 100}).data:
            if made.status == "succeeded":  # pending money is still ours; failed came back
                refunded += made.amount
            txn = stripe.v1.balance_transactions.retrieve(made.balance_transaction)
            fees += in_charge_currency(txn, charge.currency)
    return {"charged": charged, "refunded": refunded, "fees": fees}


def in_charge_currency(txn, currency: str) -> int:
    """A fee Stripe booked in the settlement currency, back in the charge's (2-decimal
    currencies here): divided by Stripe's exchange_rate, rounded half up to a cent."""
    if txn.currency == currency or txn.exchange_rate is None:
        return txn.fee
    cents = Decimal(txn.fee) / Decimal(str(txn.exchange_rate))
    return int(cents.to_integral_value(rounding=ROUND_HALF_UP))


@pytest.fixture
def async_shop(make_shop):
    """One shop for all examples (a fixture is set up once per test, not per example);
    webhooks come after the API call returns, as Stripe's do."""
    shop = make_shop("async")
    shop.standin.standin.settlement_currency = "usd"  # the account's payout currency
    return shop


@settings(
    max_examples=10,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
# Always at least once: a partial refund, then the rest, a void, and an order left alone.
@example(
    steps=[("buy", 2, 1, 700, 500), ("refund", 0, 1000), ("cash", 5000), ("refund", 0, None),
           ("void", 0), ("buy", 1, 0, 0, 0)]
)  # fmt: skip
@pytest.mark.parametrize("currency", ["USD", "EUR"])  # the account settles in USD
def test_totals_equal_the_stripe_record_plus_cash(async_shop, db, currency, steps):
    shop = async_shop
    org = factories.organization()
    token = factories.token(org, "organizer")
    db.session.commit()
    example = Example(shop, db, org, {"Authorization": f"Bearer {token}"}, currency)
    for step in steps:
        {"buy": example.buy, "refund": example.refund, "cash": example.record_cash,
         "void": example.void}[step[0]](*step[1:])  # fmt: skip

    # Late charge.refunded webhooks must count nothing twice: wait until all came in.
    wait_for(lambda: webhook_statuses(shop) <= {"delivered", "failed"}, db)
    assert webhook_statuses(shop) <= {"delivered"}  # the app took every one (2xx)
    totals = shop.api(
        "GET", f"/api/v1/events/{example.event.id}/totals", headers=example.auth
    ).json()
    stripe = stripe_record(shop, db, list(example.orders))
    by_hand = sum(example.cash.values())

    assert totals["tickets_minor"] + totals["donations_minor"] == stripe["charged"]
    assert totals["refunds_minor"] == stripe["refunded"]
    assert totals["manual_minor"] == by_hand
    assert totals["raised_minor"] == stripe["charged"] - stripe["refunded"] + by_hand
    assert totals["fees_minor"] == stripe["fees"]
    assert totals["net_minor"] == totals["raised_minor"] - stripe["fees"]
    # ...and the test's own bookkeeping agrees with Stripe's.
    assert stripe["charged"] == sum(total for total, _ in example.orders.values())
    assert stripe["refunded"] == sum(refunded for _, refunded in example.orders.values())


# Out of order: webhooks "off", the test delivers every event at the end in an
# order hypothesis chooses, answering Stripe's retries as Stripe would send them.
# Refunds are made in Stripe's dashboard (straight through its API), on cards
# whose refunds stay pending or fail later, and then settle either way.

CARDS = {"pays": CARD, "pending_refunds": "4000000000007726", "failing_refunds": "4000000000005126"}
late_buy = st.tuples(
    st.just("buy"), st.integers(0, 2), st.sampled_from([0, 700]), st.sampled_from(sorted(CARDS))
)
dashboard_refund = st.tuples(
    st.just("refund"), st.integers(0, 20), st.none() | st.integers(1, 6000)
)
settle = st.tuples(
    st.just("settle"), st.integers(0, 20), st.sampled_from(["succeeded", "failed", "canceled"])
)
late_steps = st.lists(
    st.one_of(late_buy, late_buy, dashboard_refund, dashboard_refund, settle, settle),
    min_size=1,
    max_size=7,
)


class LateExample:
    """Payments and refunds happen at Stripe; the app hears of them only at the end."""

    def __init__(self, shop, db, org):
        self.shop, self.db = shop, db
        self.event = factories.event(org, currency="USD")
        self.tier = factories.tier(self.event, price_minor=2500, capacity=1000)
        db.session.commit()
        self.stripe = shop.standin.client()
        self.orders = {}  # order id -> payment intent id
        self.refund_ids = []

    def buy(self, quantity: int, donation_minor: int, card: str) -> None:
        items = [{"ticket_type_id": self.tier.id, "quantity": quantity}] if quantity else []
        if not items and not donation_minor:
            return
        created = self.shop.buy(self.event.id, items, donation_minor=donation_minor).json()
        assert self.shop.pay(created, CARDS[card]).json()["outcome"] == "paid"
        session = self.stripe.v1.checkout.sessions.retrieve(self.shop.session_id(created))
        self.orders[created["id"]] = session.payment_intent

    def refund(self, pick: int, amount: int | None) -> None:
        if not self.orders:
            return
        intent = self.orders[sorted(self.orders)[pick % len(self.orders)]]
        charge = self.stripe.v1.charges.retrieve(
            self.stripe.v1.payment_intents.retrieve(intent).latest_charge
        )
        left = charge.amount - charge.amount_refunded
        if left <= 0:
            return
        made = self.stripe.v1.refunds.create(
            {"payment_intent": intent, "amount": min(amount or left, left)}
        )
        self.refund_ids.append(made.id)

    def settle(self, pick: int, status: str) -> None:
        if not self.refund_ids:
            return
        refund_id = self.refund_ids[pick % len(self.refund_ids)]
        answer = self.shop.standin.admin(
            "POST", f"/refunds/{refund_id}/settle", json={"status": status}
        )
        assert answer.status_code in (200, 400), answer.text  # 400: already settled

    def deliver_everything(self, rnd, seen: set) -> None:
        """Every event not delivered yet, shuffled; one that waits for its payment
        is applied once the payment is recorded (the tasks run at once here)."""
        from tests.orders.test_webhooks import deliver, kept_events

        events = [e["event"] for e in self.shop.standin.events() if e["id"] not in seen]
        rnd.shuffle(events)
        for event in events:
            answer = deliver(self.shop, json.dumps(event))
            assert answer.status_code == 200, answer.text
        kept = kept_events(self.shop.db)
        waiting = [event for event, row in kept.items() if row["status"] != "applied"]
        assert not waiting, "events still waiting after their payment was recorded"
        seen.update(e["id"] for e in self.shop.standin.events())


@pytest.fixture
def late_shop(make_shop):
    shop = make_shop("off")
    shop.delivered = set()
    return shop


@settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=late_steps, rnd=st.randoms(use_true_random=False))
# Always at least once: a refund that fails after succeeding, a pending one that
# fails, a pending one that succeeds, a full refund; all delivered shuffled.
@example(
    steps=[("buy", 2, 700, "failing_refunds"), ("refund", 0, 1000), ("settle", 0, "failed"),
           ("buy", 1, 0, "pending_refunds"), ("refund", 1, None), ("settle", 1, "failed"),
           ("refund", 1, 1500), ("settle", 2, "succeeded"), ("buy", 1, 0, "pays"),
           ("refund", 2, None)],
    rnd=random.Random(7),
)  # fmt: skip
def test_totals_survive_events_out_of_order_and_refunds_that_fail(late_shop, db, steps, rnd):
    shop = late_shop
    org = factories.organization()
    token = factories.token(org, "organizer")
    db.session.commit()
    example = LateExample(shop, db, org)
    for step in steps:
        {"buy": example.buy, "refund": example.refund, "settle": example.settle}[step[0]](*step[1:])
    shop.release()
    example.deliver_everything(rnd, shop.delivered)

    auth = {"Authorization": f"Bearer {token}"}
    totals = shop.api("GET", f"/api/v1/events/{example.event.id}/totals", headers=auth).json()
    stripe = stripe_record(shop, db, list(example.orders))
    assert totals["tickets_minor"] + totals["donations_minor"] == stripe["charged"]
    assert totals["refunds_minor"] == stripe["refunded"]
    assert totals["fees_minor"] == stripe["fees"]
    assert totals["net_minor"] == stripe["charged"] - stripe["refunded"] - stripe["fees"]
    # Each order: its refunded amount is what succeeded at Stripe; tickets follow the money.
    for order_id, intent in example.orders.items():
        succeeded = sum(
            r.amount
            for r in example.stripe.v1.refunds.list({"payment_intent": intent, "limit": 100}).data
            if r.status == "succeeded"
        )
        order = shop.api("GET", f"/api/v1/orders/{order_id}", headers=auth).json()
        full = succeeded >= order["total_minor"]
        assert order["status"] == (
            "refunded" if full else "partially_refunded" if succeeded else "paid"
        )
        assert {t["status"] for t in order["tickets"]} <= {"revoked" if full else "valid"}
