"""Issue 13, finding 4: anyone could hold every seat (five anonymous calls
made a tier "sold out" for 31 minutes, again and again).

Holds are now limited per client address and per buyer email, an email has
at most HOLDS_PER_EMAIL open holds on an event, and the event page says that
held seats may come back.
"""

import re

import pytest
from sqlalchemy import func, select

from tests.support import factories as f
from tests.support.web import csrf_token
from ticketing.config import from_environment
from ticketing.events.models import Event
from ticketing.extensions import limiter
from ticketing.orders import limits
from ticketing.orders.models import Order

UNLIMITED = "100000 per hour"


@pytest.fixture
def tier(db):
    org = f.organization()
    event = f.event(org, currency="USD")
    tier = f.tier(event, name="Standard", price_minor=2500, capacity=50, max_per_order=10)
    db.session.commit()
    return tier


@pytest.fixture
def limits_of(app):
    """Set the three settings for this test (the limiter's counts start empty)."""

    def configure(per_address=UNLIMITED, per_email=UNLIMITED, holds_per_email=0):
        limiter.reset()
        app.config.update(
            HOLD_RATE_LIMIT=per_address,
            HOLD_EMAIL_RATE_LIMIT=per_email,
            HOLDS_PER_EMAIL=holds_per_email,
        )

    return configure


def hold(shop, tier, email: str, quantity: int = 10):
    items = [{"ticket_type_id": tier.id, "quantity": quantity}]
    return shop.buy(tier.event_id, items, email=email)


def available(shop, tier) -> int:
    tiers = shop.api("GET", f"/api/v1/events/{tier.event_id}/ticket-types").json()
    return next(t["available"] for t in tiers if t["id"] == tier.id)


def test_the_defaults_limit_holds(tmp_path, monkeypatch):
    for name in ("HOLD_RATE_LIMIT", "HOLD_EMAIL_RATE_LIMIT", "HOLDS_PER_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    settings = from_environment(str(tmp_path))
    assert settings["HOLD_RATE_LIMIT"] == limits.DEFAULT_HOLD_RATE_LIMIT == "10 per hour"
    assert settings["HOLD_EMAIL_RATE_LIMIT"] == limits.DEFAULT_HOLD_EMAIL_RATE_LIMIT
    assert settings["HOLDS_PER_EMAIL"] == limits.DEFAULT_HOLDS_PER_EMAIL == 2


def test_one_address_cannot_hold_a_whole_tier(shop, tier, limits_of):
    limits_of(per_address="3 per hour")
    for n in range(3):
        assert hold(shop, tier, f"buyer{n}@example.test").status_code == 201

    refused = hold(shop, tier, "buyer9@example.test")

    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "rate_limited" and "Too many orders from your network" in body["message"]
    assert "Retry-After" in refused.headers
    assert available(shop, tier) == 20


def test_refused_and_failed_attempts_do_not_use_up_the_limit(shop, tier, limits_of):
    limits_of(per_address="2 per hour")
    bad = shop.buy(tier.event_id, [{"ticket_type_id": tier.id, "quantity": 0}])
    assert bad.status_code == 422
    assert hold(shop, tier, "a@example.test", 1).status_code == 201
    assert hold(shop, tier, "b@example.test", 1).status_code == 201
    assert hold(shop, tier, "c@example.test", 1).status_code == 429


def test_one_email_is_limited_whatever_its_case(shop, tier, limits_of):
    limits_of(per_email="2 per hour")
    assert hold(shop, tier, "eve@example.test", 1).status_code == 201
    assert hold(shop, tier, "EVE@example.test", 1).status_code == 201

    refused = hold(shop, tier, "eve@example.test", 1)

    assert refused.status_code == 429
    assert "this email address" in refused.json()["message"]
    assert hold(shop, tier, "bob@example.test", 1).status_code == 201


def test_one_email_has_at_most_two_open_holds_per_event(shop, tier, limits_of, db):
    limits_of(holds_per_email=2)
    first = hold(shop, tier, "eve@example.test").json()
    assert hold(shop, tier, "eve@example.test").status_code == 201

    refused = hold(shop, tier, "eve@example.test")

    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "too_many_holds" and "buyer_email" in body["errors"]
    assert available(shop, tier) == 30
    db.session.commit()
    count = select(func.count()).select_from(Order).where(Order.buyer_email == "eve@example.test")
    assert db.session.execute(count).scalar() == 2
    # Another buyer is not affected; paying (or releasing) a hold frees a place.
    assert hold(shop, tier, "bob@example.test").status_code == 201
    shop.pay(first)
    assert hold(shop, tier, "eve@example.test").status_code == 201


def test_the_buy_form_says_so_when_the_limit_is_reached(client, db, limits_of):
    org = f.organization()
    event = f.event(org, currency="USD")
    free = f.tier(event, name="Free seat", price_minor=0, capacity=50)
    db.session.commit()
    limits_of(per_address="1 per hour")

    def buy(name):
        page = client.get(f"/events/{event.slug}")
        form = {"csrf_token": csrf_token(page.data), f"qty_{free.id}": "1",
                "buyer_name": name, "buyer_email": f"{name.lower()}@example.test"}  # fmt: skip
        return client.post(f"/events/{event.slug}/buy", data=form)

    assert buy("Ada").status_code == 303
    refused = buy("Bea")

    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "Too many orders from your network" in text
    assert 'value="Bea"' in text  # what was typed stays
    db.session.commit()
    assert db.session.execute(select(func.count()).select_from(Order)).scalar() == 1


def test_the_event_page_says_held_seats_may_come_back(shop, tier, limits_of, db):
    limits_of()
    slug = db.session.get(Event, tier.event_id).slug
    assert "held by people paying" not in shop.api("GET", f"/events/{slug}").text
    created = hold(shop, tier, "eve@example.test", 7).json()

    page = shop.api("GET", f"/events/{slug}").text

    assert "7 seats are held by people paying right now" in page
    held = re.search(r"come back on sale from <time datetime=\"([^\"]+)\">(\d\d:\d\d)", page)
    assert held is not None
    assert held.group(1).startswith(created["expires_at"][:16])


def test_an_empty_setting_turns_a_limit_off(shop, tier, limits_of):
    """The benchmarks' buyers all come from loopback (bench/harness.py sets it empty)."""
    limits_of(per_address="", per_email="")
    answers = [hold(shop, tier, "same@example.test", 1).status_code for _ in range(3)]
    assert answers == [201, 201, 201]
