"""The organizer's forms and the API refuse the same input by the same rule.

The forms only read what people type (a local time, "12.50"); the API's
schema (ticketing/events/schemas.py) decides. Each case sends one bad value
both ways and expects a 422 with the same message: on the form, under the
field; in the API, in `errors`.
"""

import html
import re

import pytest
from sqlalchemy import select

from tests.support import factories
from tests.support.web import login, post_form
from ticketing.events.models import Event, TicketType

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied

EVENT_FORM = {
    "name": "Songs for Shelter",
    "venue": "Babylon, Istanbul",
    "starts_at": "2026-12-19T19:30",
    "timezone": "Europe/Istanbul",
    "currency": "EUR",
}
EVENT_API = {
    "name": "Songs for Shelter",
    "venue": "Babylon, Istanbul",
    "starts_at": "2026-12-19T19:30:00+03:00",
    "timezone": "Europe/Istanbul",
    "currency": "EUR",
}
TIER_FORM = {"name": "Standard", "price": "25", "capacity": "100", "max_per_order": "10"}
TIER_API = {"name": "Standard", "price_minor": 2500, "capacity": 100, "max_per_order": 10}


def form_errors(page: str, field: str) -> list[str]:
    """The messages the form shows under one field."""
    found = re.findall(rf'<p class="field-error" id="{field}-error">(.*?)</p>', page)
    return [html.unescape(message) for message in found]


@pytest.fixture
def organizer(client, team, db):
    token = factories.token(team.org, "organizer")
    db.session.commit()
    login(client, "organizer@example.test")
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("form_field", "typed", "api_field", "sent"),
    [
        ("capacity", "-1", "capacity", -1),
        ("capacity", "9" * 12, "capacity", 10**12 - 1),
        ("max_per_order", "0", "max_per_order", 0),
        ("max_per_order", "1001", "max_per_order", 1001),
        ("price", "-0.01", "price_minor", -1),
        ("price", "21474836.48", "price_minor", 2_147_483_648),
        ("min_price", "-5", "min_price_minor", -500),
        ("name", "x" * 201, "name", "x" * 201),
        ("sales_end", "2026-12-01T10:00", "sales_end", "2026-12-01T10:00:00+03:00"),
    ],
)
def test_a_bad_tier_is_refused_by_the_same_rule(
    client, organizer, team, db, form_field, typed, api_field, sent
):
    event = factories.event(team.org, currency="EUR", timezone="Europe/Istanbul")
    db.session.commit()
    window_form = {"sales_start": "2026-12-10T10:00"}
    window_api = {"sales_start": "2026-12-10T10:00:00+03:00"}

    page = post_form(
        client,
        f"/manage/events/{event.id}/tiers/new",
        {**TIER_FORM, **window_form, form_field: typed},
    )
    api = client.post(
        f"/api/v1/events/{event.id}/ticket-types",
        json={**TIER_API, **window_api, api_field: sent},
        headers=organizer,
    )

    assert (page.status_code, api.status_code) == (422, 422), api.get_json()
    api_messages = api.get_json()["errors"][api_field]
    assert form_errors(page.get_data(as_text=True), form_field) == api_messages
    assert db.session.execute(select(TicketType)).first() is None


@pytest.mark.parametrize(
    ("form_field", "typed", "api_field", "sent"),
    [
        ("name", "x" * 201, "name", "x" * 201),
        ("venue", "v" * 301, "venue", "v" * 301),
        ("goal", "-1", "goal_minor", -100),
        ("starts_at", "3000-01-01T10:00", "starts_at", "3000-01-01T10:00:00+03:00"),
    ],
)
def test_a_bad_event_is_refused_by_the_same_rule(
    client, organizer, db, form_field, typed, api_field, sent
):
    page = post_form(client, "/manage/events/new", {**EVENT_FORM, form_field: typed})
    api = client.post("/api/v1/events", json={**EVENT_API, api_field: sent}, headers=organizer)

    assert (page.status_code, api.status_code) == (422, 422), api.get_json()
    api_messages = api.get_json()["errors"][api_field]
    assert form_errors(page.get_data(as_text=True), form_field) == api_messages
    assert db.session.execute(select(Event)).first() is None


def test_a_required_field_left_empty_is_named_on_the_form(client, organizer, team, db):
    event = factories.event(team.org, currency="EUR")
    db.session.commit()
    page = post_form(
        client, f"/manage/events/{event.id}/tiers/new", {**TIER_FORM, "price": "", "capacity": ""}
    )
    assert page.status_code == 422
    body = page.get_data(as_text=True)
    assert form_errors(body, "price") == ["This field is required."]
    assert form_errors(body, "capacity") == ["This field is required."]
    api = client.post(
        f"/api/v1/events/{event.id}/ticket-types", json={"name": "Standard"}, headers=organizer
    )
    assert {"price_minor", "capacity"} <= set(api.get_json()["errors"])


def test_the_form_still_converts_what_people_type(client, organizer, team, db):
    """Local time in the event's zone and major units reach the same schema as the API's."""
    event = factories.event(team.org, currency="EUR", timezone="Europe/Istanbul")
    db.session.commit()
    typed = {**TIER_FORM, "price": "12.50", "sales_end": "2026-12-19T18:00", "max_per_order": ""}
    assert post_form(client, f"/manage/events/{event.id}/tiers/new", typed).status_code == 302
    tier = db.session.execute(select(TicketType)).scalar_one()
    assert (tier.price_minor, tier.max_per_order) == (1250, 10)
    assert tier.sales_end.isoformat() == "2026-12-19T15:00:00+00:00"
