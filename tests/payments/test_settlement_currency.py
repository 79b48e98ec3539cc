"""Settlement in another currency (issue 12, items 6 and 7).

Stripe books a charge's fee in the account's settlement currency, with an
`exchange_rate` from the charge's currency; the app books it in the event's
currency. Stripe's minimum charge applies after conversion to the settlement
currency; the app checks it first (with a margin) and maps Stripe's own
refusal to a clear 422.
"""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.support import factories as f
from tests.support.servers import wait_for
from tests.support.web import csrf_token
from ticketing import money
from ticketing.events.totals import event_totals
from ticketing.orders.models import Order
from ticketing.payments.models import LedgerEntry, Payment
from ticketing.tasks import jobs

CURRENCY_EXPONENT = {"TRY": 2, "JPY": 0, "KWD": 3, "EUR": 2, "USD": 2}


def settle_in(shop, app, currency: str) -> None:
    """The Stripe account pays out in `currency`; the app is told so."""
    shop.standin.standin.settlement_currency = currency.lower()
    app.config["STRIPE_SETTLEMENT_CURRENCY"] = currency.upper()


def expected_fee(shop, order_id, db) -> tuple[int, object]:
    """Stripe's fee in the charge's currency, worked out here from Stripe's own numbers."""
    order = db.session.get(Order, order_id)
    client = shop.standin.client()
    intent = client.v1.payment_intents.retrieve(order.stripe_payment_intent_id)
    charge = client.v1.charges.retrieve(intent.latest_charge, {"expand": ["balance_transaction"]})
    txn = charge.balance_transaction
    settled = Decimal(txn.fee).scaleb(-CURRENCY_EXPONENT[txn.currency.upper()])
    charged = (settled / Decimal(str(txn.exchange_rate))).scaleb(
        CURRENCY_EXPONENT[charge.currency.upper()]
    )
    return int(charged.to_integral_value(rounding=ROUND_HALF_UP)), txn


def buy_and_pay(shop, db, currency: str, price: int, **standin_settings):
    org = f.organization()
    event = f.event(org, currency=currency)
    tier = f.tier(event, price_minor=price)
    db.session.commit()
    created = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 1}])
    assert created.status_code == 201, created.text
    assert shop.pay(created.json()).status_code == 200
    wait_for(lambda: db.session.get(Order, created.json()["id"]).status == "paid", db)
    return event, created.json()


@pytest.mark.parametrize(
    ("currency", "settlement", "price"),
    [("TRY", "EUR", 50_000), ("JPY", "USD", 3000), ("KWD", "USD", 12_340)],
)
def test_the_fee_is_booked_in_the_event_currency(shop, app, db, currency, settlement, price):
    settle_in(shop, app, settlement)
    event, created = buy_and_pay(shop, db, currency, price)

    fee, txn = expected_fee(shop, created["id"], db)
    assert txn.currency == settlement.lower() and txn.exchange_rate is not None
    assert txn.fee != fee  # the settlement figure is not the event's
    payment = db.session.execute(select(Payment)).scalar_one()
    assert (payment.fee_minor, payment.fee_known, payment.currency) == (fee, True, currency)
    entry = db.session.execute(select(LedgerEntry).where(LedgerEntry.kind == "fee")).scalar_one()
    assert (entry.amount_minor, entry.currency) == (fee, currency)
    totals = shop.api("GET", f"/api/v1/events/{event.id}/totals", headers=organizer(event, db))
    assert totals.json()["fees_minor"] == fee
    assert totals.json()["net_minor"] == price - fee


def organizer(event, db) -> dict:
    token = f.token(event.organization, "organizer")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_a_fee_unknown_at_payment_is_filled_in_by_charge_updated(shop, app, db):
    settle_in(shop, app, "EUR")
    shop.standin.standin.balance_transaction_delay = 3.0  # null at first, as Stripe may be

    event, created = buy_and_pay(shop, db, "TRY", 50_000)

    payment = db.session.execute(select(Payment)).scalar_one()
    assert (payment.fee_minor, payment.fee_known) == (0, False)  # never 0 for good
    assert event_totals(event)["fees_minor"] == 0
    db.session.rollback()
    wait_for(lambda: db.session.execute(select(Payment.fee_known)).scalar_one(), db)
    fee, _ = expected_fee(shop, created["id"], db)
    assert db.session.execute(select(Payment.fee_minor)).scalar_one() == fee > 0
    assert event_totals(event)["fees_minor"] == fee
    assert [e["delivery"]["status"] for e in shop.standin.events("charge.updated")] == ["delivered"]


def test_the_sweep_fills_in_fees_whose_charge_updated_never_came(shop, app, db):
    settle_in(shop, app, "EUR")
    # Long enough that fulfilment, even on a loaded machine, reads it still null.
    shop.standin.standin.balance_transaction_delay = 3.0
    event, created = buy_and_pay(shop, db, "TRY", 50_000)
    shop.standin.standin.webhooks.url = ""  # charge.updated is recorded, never delivered
    wait_for(lambda: len(shop.standin.events("charge.updated")) == 1, db)
    assert db.session.execute(select(Payment.fee_known)).scalar_one() is False
    db.session.rollback()

    assert jobs.fill_unknown_fees() == 1
    assert jobs.fill_unknown_fees() == 0  # once

    fee, _ = expected_fee(shop, created["id"], db)
    assert event_totals(event)["fees_minor"] == fee
    count = select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "fee")
    assert db.session.execute(count).scalar() == 1


def test_fee_conversion_rounds_half_up_in_minor_units():
    # 59 EUR cents at 0.026852 EUR per TRY = 21.9723... TRY
    assert money.to_charge_currency(59, "EUR", "TRY", 0.026852) == 2197
    assert money.to_charge_currency(50, "USD", "JPY", 0.005) == 100  # zero-decimal
    assert money.to_charge_currency(1, "USD", "KWD", 3.2) == 3  # 3.125 fils -> 3
    assert money.to_charge_currency(5, "USD", "KWD", 3.2) == 16  # 15.625 fils -> 16
    assert money.to_charge_currency(59, "USD", "USD", None) == 59


# minimums (item 7) --------------------------------------------------------------


def test_the_minimum_applies_after_conversion_with_a_margin():
    assert money.minimum_charge_minor("INR") == 50  # Stripe's INR minimum alone
    assert money.minimum_charge_minor("INR", "USD") > 50 * 100  # worth 0.50 USD and more
    assert money.minimum_charge_minor("USD", "USD") == 50  # no conversion, no margin
    with pytest.raises(money.MoneyError, match="at least"):
        money.check_chargeable(1000, "INR", "USD")
    money.check_chargeable(money.minimum_charge_minor("INR", "USD"), "INR", "USD")


@given(
    st.sampled_from(sorted(money.APPROX_USD_PER_UNIT)),
    st.sampled_from(["USD", "EUR", "GBP", "TRY", "JPY", "AED"]),
    st.integers(1, 10_000_000),
)
def test_what_the_app_accepts_the_standin_never_refuses_as_too_small(currency, settlement, amount):
    """Both read ticketing.money: the app's check (with its margin) is the stricter."""
    amount = money.stripe_amount(amount, currency)
    if amount == 0:
        return  # a free order never reaches Stripe
    try:
        money.check_chargeable(amount, currency, settlement)
    except money.MoneyError:
        return
    assert not money.below_settlement_minimum(amount, currency, settlement)


def test_a_too_small_order_is_refused_before_stripe_on_the_api(shop, db):
    event = f.event(f.organization(), currency="INR")
    tier = f.tier(event, price_minor=1000)  # 10 rupees: Stripe's INR floor, but ~0.12 USD
    db.session.commit()

    response = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 1}])

    assert response.status_code == 422, response.text
    assert "at least" in response.json()["errors"]["total_minor"][0]
    assert db.session.execute(select(func.count()).select_from(Order)).scalar() == 0
    with shop.standin.store.read() as tx:
        assert tx.all_of("checkout.session") == []  # Stripe was never asked


def test_a_too_small_order_is_refused_on_the_buy_form(shop, app, db):
    event = f.event(f.organization(), currency="INR")
    tier = f.tier(event, price_minor=1000)
    db.session.commit()
    client = app.test_client()
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    form = {f"qty_{tier.id}": "1", "buyer_name": "Bea", "buyer_email": "bea@example.test"}
    if 'name="csrf_token"' in page:
        form["csrf_token"] = csrf_token(page)

    response = client.post(f"/events/{event.slug}/buy", data=form)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    minimum = money.format_money(money.minimum_charge_minor("INR", "USD"), "INR")
    assert "The total must be at least" in html and minimum in html


def test_stripe_refusing_a_small_amount_is_a_clear_422_not_a_503(shop, db):
    """The account settles in AED (app left at USD): Stripe's amount_too_small reaches the buyer."""
    shop.standin.standin.settlement_currency = "aed"
    event = f.event(f.organization(), currency="USD")
    tier = f.tier(event, price_minor=52)  # fine in USD; below 2.00 AED once converted
    db.session.commit()

    response = shop.buy(event.id, [{"ticket_type_id": tier.id, "quantity": 1}])

    assert response.status_code == 422, response.text
    assert "smallest amount Stripe can charge" in response.json()["errors"]["total_minor"][0]
    order = db.session.execute(select(Order)).scalar_one()
    assert order.status == "canceled"  # the seats were released at once


def test_rub_is_refused_for_card_events(shop, db):
    org = f.organization()
    token = f.token(org, "organizer")
    event = f.event(org, currency="EUR", published=False)
    db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    body = {
        "name": "Benefit",
        "starts_at": "2027-01-10T19:00:00+03:00",
        "timezone": "Europe/Istanbul",
        "venue": "Hall",
        "currency": "RUB",
    }

    created = shop.api("POST", "/api/v1/events", json=body, headers=auth)
    changed = shop.api(
        "PATCH", f"/api/v1/events/{event.id}", json={"currency": "rub"}, headers=auth
    )

    for response in (created, changed):
        assert response.status_code == 422, response.text
        assert "cannot be charged by card" in response.json()["errors"]["currency"][0]
    assert db.session.get(type(event), event.id).currency == "EUR"


def test_the_settlement_currency_setting_is_checked_at_start(monkeypatch, database_url):
    from ticketing import create_app
    from ticketing.config import ConfigError

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.delenv("STRIPE_SETTLEMENT_CURRENCY", raising=False)
    assert create_app().config["STRIPE_SETTLEMENT_CURRENCY"] == "USD"  # the default
    monkeypatch.setenv("STRIPE_SETTLEMENT_CURRENCY", " eur ")
    assert create_app().config["STRIPE_SETTLEMENT_CURRENCY"] == "EUR"
    monkeypatch.setenv("STRIPE_SETTLEMENT_CURRENCY", "EURO")
    with pytest.raises(ConfigError, match="STRIPE_SETTLEMENT_CURRENCY"):
        create_app()
