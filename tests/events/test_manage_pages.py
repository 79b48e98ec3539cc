"""Organizer pages: create and edit events and tiers through the real forms."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.support import factories
from tests.support.orders import pending_order
from tests.support.web import login, post_form
from ticketing.events.models import Event, TicketType
from ticketing.orders.models import Order

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied

EVENT_FORM = {
    "name": "Songs for Shelter",
    "description": "An evening of songs.",
    "venue": "Babylon, Istanbul",
    "starts_at": "2026-12-19T19:30",
    "timezone": "Europe/Istanbul",
    "currency": "EUR",
    "goal": "5000.50",
    "beneficiary": "Shelter fund",
    "published": "y",
}
TIER_FORM = {"name": "Standard", "price": "25", "capacity": "100", "max_per_order": "10"}


def test_organizer_creates_an_event_and_a_tier_and_sees_them_listed(client, team, db):
    login(client, "organizer@example.test")
    response = post_form(client, "/manage/events/new", EVENT_FORM)
    assert response.status_code == 302
    event = db.session.execute(select(Event)).scalar_one()
    assert response.headers["Location"] == f"/manage/events/{event.id}/edit"
    # 19:30 in Istanbul (UTC+3) is stored as 16:30 UTC; the goal in minor units.
    assert event.starts_at == datetime(2026, 12, 19, 16, 30, tzinfo=UTC)
    assert (event.goal_minor, event.currency, event.organization_id) == (500050, "EUR", team.org.id)
    assert event.published is True

    tier_url = f"/manage/events/{event.id}/tiers/new"
    pwyw = {**TIER_FORM, "name": "Pay what you can", "price": "15", "pay_what_you_want": "y"}
    pwyw |= {"min_price": "5", "sales_start": "2026-12-01T10:00", "sales_end": "2026-12-19T18:00"}
    assert post_form(client, tier_url, TIER_FORM).status_code == 302
    assert post_form(client, tier_url, pwyw).status_code == 302
    tiers = db.session.execute(select(TicketType).order_by(TicketType.id)).scalars().all()
    assert [(t.name, t.price_minor, t.capacity) for t in tiers] == [
        ("Standard", 2500, 100),
        ("Pay what you can", 1500, 100),
    ]
    assert tiers[1].min_price_minor == 500
    assert tiers[1].sales_end == datetime(2026, 12, 19, 15, 0, tzinfo=UTC)

    listing = client.get("/manage/events").get_data(as_text=True)
    assert "Songs for Shelter" in listing and "published" in listing
    assert "<strong>0</strong> / 200 sold" in listing
    edit_page = client.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="2026-12-19T19:30"' in edit_page and 'value="5000.50"' in edit_page
    assert "€25.00" in edit_page and "Pay what you can" in edit_page


def test_listing_shows_drafts_and_sold_counts_of_our_org_only(client, team, db):
    ours = factories.event(team.org, name="Draft night", published=False)
    tier = factories.tier(ours, capacity=50)
    factories.paid_order(ours, [(tier, 3)])
    factories.event(team.other_org, name="Their night")
    db.session.commit()
    login(client, "organizer@example.test")
    html = client.get("/manage/events").get_data(as_text=True)
    assert "Draft night" in html and "draft" in html and "<strong>3</strong> / 50 sold" in html
    assert "Their night" not in html


def test_bad_event_form_shows_errors_and_keeps_input(client, team, db):
    login(client, "organizer@example.test")
    bad = {**EVENT_FORM, "timezone": "Mars/Olympus", "goal": "lots", "starts_at": ""}
    response = post_form(client, "/manage/events/new", bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Not a valid choice" in html  # the time zone
    assert 'value="Songs for Shelter"' in html and 'value="lots"' in html
    assert db.session.execute(select(Event)).first() is None

    goal_only = post_form(client, "/manage/events/new", {**EVENT_FORM, "goal": "12.345"})
    assert goal_only.status_code == 422
    assert "Enter an amount in EUR" in goal_only.get_data(as_text=True)


def test_edit_tier_price_keeps_old_order_prices(client, team, db):
    event = factories.event(team.org, currency="EUR")
    tier = factories.tier(event, price_minor=2500, capacity=10)
    order = factories.paid_order(event, [(tier, 2)])
    db.session.commit()
    login(client, "organizer@example.test")
    url = f"/manage/events/{event.id}/tiers/{tier.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="25.00"' in page and 'value="10"' in page
    response = post_form(
        client, url, {**TIER_FORM, "name": tier.name, "price": "30", "capacity": "10"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(TicketType, tier.id).price_minor == 3000
    saved = db.session.get(Order, order.id)
    assert [line.unit_price_minor for line in saved.lines] == [2500]
    assert saved.total_minor == 5000


def test_capacity_below_sold_or_held_is_refused_next_to_the_field(client, team, db):
    event = factories.event(team.org)
    tier = factories.tier(event, capacity=10)
    factories.paid_order(event, [(tier, 3)])
    pending_order(event, [(tier, 2)])
    db.session.commit()
    login(client, "organizer@example.test")
    url = f"/manage/events/{event.id}/tiers/{tier.id}/edit"
    response = post_form(client, url, {**TIER_FORM, "capacity": "4"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Capacity cannot be below the 5 seats already sold or held." in html
    assert html.index("Capacity cannot be below") > html.index('name="capacity"')
    assert 'value="4"' in html
    db.session.expire_all()
    assert db.session.get(TicketType, tier.id).capacity == 10
    assert post_form(client, url, {**TIER_FORM, "capacity": "5"}).status_code == 302


def test_currency_is_locked_once_an_order_exists(client, team, db):
    event = factories.event(team.org, currency="USD")
    tier = factories.tier(event)
    pending_order(event, [(tier, 1)])
    db.session.commit()
    login(client, "organizer@example.test")
    url = f"/manage/events/{event.id}/edit"
    form = {**EVENT_FORM, "name": event.name, "currency": "EUR"}
    response = post_form(client, url, form)
    assert response.status_code == 422
    assert "The currency cannot change once an order exists" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Event, event.id).currency == "USD"


def test_other_org_event_is_404_and_door_is_403(app, client, team, db):
    theirs = factories.event(team.other_org)
    their_tier = factories.tier(theirs)
    ours = factories.event(team.org)
    db.session.commit()
    login(client, "organizer@example.test")
    assert client.get(f"/manage/events/{theirs.id}/edit").status_code == 404
    assert client.get(f"/manage/events/{theirs.id}/tiers/new").status_code == 404
    assert client.get(f"/manage/events/{ours.id}/tiers/{their_tier.id}/edit").status_code == 404

    door = app.test_client()
    login(door, "door@example.test")
    assert door.get(f"/manage/events/{ours.id}/edit").status_code == 403
    anonymous = app.test_client()
    assert anonymous.get(f"/manage/events/{ours.id}/edit").status_code == 302


def test_event_form_post_without_csrf_is_refused(client, team, db):
    login(client, "organizer@example.test")
    response = client.post("/manage/events/new", data=EVENT_FORM)
    assert response.status_code == 400
    assert db.session.execute(select(Event)).first() is None


def test_dashboard_link_only_when_the_dashboard_exists(app, client, team, db):
    event = factories.event(team.org)
    db.session.commit()
    login(client, "organizer@example.test")
    html = client.get("/manage/events").get_data(as_text=True)
    if "reports.dashboard" in app.view_functions:
        assert f"/events/{event.id}" in html and "Dashboard" in html
    else:
        assert "Dashboard" not in html
