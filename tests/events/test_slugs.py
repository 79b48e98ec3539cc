"""Event addresses (/events/<slug>): transliterated from the name, unique
across all organizations, and editable by the organizer until the first order."""

import pytest

from tests.support import factories
from tests.support.orders import pending_order
from tests.support.web import login, post_form
from ticketing.accounts.services import slugify
from ticketing.events.models import Event
from ticketing.extensions import db as _db

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied

EVENT = {
    "name": "Umut Arkadaşlar",
    "starts_at": "2026-12-19T19:30:00+03:00",
    "timezone": "Europe/Istanbul",
    "venue": "Babylon, Istanbul",
    "currency": "EUR",
}
FORM = {
    "description": "",
    "venue": "Babylon, Istanbul",
    "starts_at": "2026-12-19T19:30",
    "timezone": "Europe/Istanbul",
    "currency": "EUR",
    "beneficiary": "",
}


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_slugs_are_transliterated():
    assert slugify("Umut Arkadaşlar") == "umut-arkadaslar"
    assert slugify("Песни") == "pesni"
    assert slugify("Пісні для Харкова!") == "pisni-dlya-kharkova"
    assert slugify("İstanbul'da Gece · 2026") == "istanbulda-gece-2026"
    assert slugify("Ночь с Ольгой") == "noch-s-olgoy"
    assert slugify("!!!") == "item"


def test_names_become_unique_addresses_across_organizations(client, orgs):
    made = [
        client.post("/api/v1/events", json={**EVENT, "name": name}, headers=auth(token))
        for name, token in (
            ("Umut Arkadaşlar", orgs.organizer_token),
            ("UMUT ARKADAŞLAR", orgs.organizer_token),
            ("Umut arkadaslar", orgs.other_token),
            ("Песни", orgs.organizer_token),
        )
    ]
    assert [r.status_code for r in made] == [201] * 4
    assert [r.get_json()["slug"] for r in made] == [
        "umut-arkadaslar", "umut-arkadaslar-2", "umut-arkadaslar-3", "pesni"
    ]  # fmt: skip
    second = client.get(
        f"/api/v1/events/{made[1].get_json()['id']}", headers=auth(orgs.organizer_token)
    )
    assert second.get_json()["slug"] == "umut-arkadaslar-2"
    chosen = client.post(
        "/api/v1/events", json={**EVENT, "slug": "Ночь"}, headers=auth(orgs.organizer_token)
    )
    assert chosen.status_code == 201 and chosen.get_json()["slug"] == "noch"
    taken = client.post(
        "/api/v1/events", json={**EVENT, "slug": "pesni"}, headers=auth(orgs.other_token)
    )
    assert taken.status_code == 409 and "slug" in taken.get_json()["errors"]


def test_api_changes_the_address_until_the_first_order(client, orgs, db):
    event = factories.event(orgs.org, name="Winter concert", published=True)
    taken = factories.event(orgs.other_org, name="Taken")
    db.session.commit()
    url, headers = f"/api/v1/events/{event.id}", auth(orgs.organizer_token)

    changed = client.patch(url, json={"slug": "Песни весны"}, headers=headers)
    assert changed.status_code == 200 and changed.get_json()["slug"] == "pesni-vesny"
    assert "Winter concert" in client.get("/events/pesni-vesny").get_data(as_text=True)

    clash = client.patch(url, json={"slug": taken.slug}, headers=headers)
    assert clash.status_code == 409
    assert "already uses" in clash.get_json()["errors"]["slug"][0]
    empty = client.patch(url, json={"slug": "—"}, headers=headers)
    assert empty.status_code == 422 and "slug" in empty.get_json()["errors"]

    tier = factories.tier(_db.session.get(Event, event.id))
    pending_order(_db.session.get(Event, event.id), [(tier, 1)])
    db.session.commit()
    locked = client.patch(url, json={"slug": "new-address"}, headers=headers)
    assert locked.status_code == 409
    assert "once an order exists" in locked.get_json()["errors"]["slug"][0]
    # The same address again changes nothing and is fine.
    same = client.patch(url, json={"slug": "pesni-vesny", "name": "Winter"}, headers=headers)
    assert same.status_code == 200 and same.get_json()["slug"] == "pesni-vesny"
    assert client.get("/events/new-address").status_code == 404


def test_form_sets_and_then_refuses_the_address(client, team, db):
    login(client, "organizer@example.test")
    created = post_form(client, "/manage/events/new", {**FORM, "name": "Песни", "slug": ""})
    assert created.status_code == 302
    event = db.session.query(Event).filter_by(name="Песни").one()
    assert event.slug == "pesni"
    url = f"/manage/events/{event.id}/edit"
    assert 'value="pesni"' in client.get(url).get_data(as_text=True)

    renamed = post_form(client, url, {**FORM, "name": "Песни", "slug": "Umut Arkadaşlar"})
    assert renamed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).slug == "umut-arkadaslar"

    tier = factories.tier(db.session.get(Event, event.id))
    pending_order(db.session.get(Event, event.id), [(tier, 1)])
    db.session.commit()
    refused = post_form(client, url, {**FORM, "name": "Песни", "slug": "something-else"})
    assert refused.status_code == 422
    assert "address cannot change once an order exists" in refused.get_data(as_text=True)
    assert "Orders exist: the address can no longer change." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Event, event.id).slug == "umut-arkadaslar"
