"""Event and tier texts in several languages (API.md, Languages): the API's
`translations`, the pages' choice of text with a fallback to the main one,
and the organizer's form that edits them beside the main text."""

import html

import pytest
from babel import Locale
from flask import request
from sqlalchemy import select

from tests.support import factories
from tests.support.web import login, post_form
from ticketing import templating
from ticketing.events.models import Event, TicketType

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied

EVENT = {
    "name": "Songs for Shelter",
    "starts_at": "2026-12-19T19:30:00+03:00",
    "timezone": "Europe/Istanbul",
    "venue": "Babylon, Istanbul",
    "currency": "EUR",
}
RUSSIAN = {"name": "Песни для приюта", "venue": "Вавилон, Стамбул", "beneficiary": "Фонд приюта"}
TURKISH = {"name": "Barınak için şarkılar", "description": "Bir akşam\nşarkılar."}


def auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def lang_from_query(monkeypatch):
    """Pages read their language from ?lang= (what the i18n work's selector does)."""
    monkeypatch.setattr(templating, "page_locale", lambda: request.args.get("lang", "en"))


# --- the API -----------------------------------------------------------------


def test_event_and_tier_translations_round_trip(client, orgs):
    headers = auth(orgs.organizer_token)
    translations = {"ru": RUSSIAN, "tr": TURKISH}
    created = client.post(
        "/api/v1/events", json={**EVENT, "translations": translations}, headers=headers
    )
    assert created.status_code == 201, created.get_json()
    event = created.get_json()
    assert event["translations"] == translations
    url = f"/api/v1/events/{event['id']}"
    assert client.get(url, headers=headers).get_json()["translations"] == translations

    tier_url = f"{url}/ticket-types"
    tier = {"name": "Standard", "price_minor": 2500, "capacity": 10}
    tier["translations"] = {"uk": {"name": "Стандартний"}, "en": {"name": "Standard seat"}}
    made = client.post(tier_url, json=tier, headers=headers)
    assert made.status_code == 201, made.get_json()
    listed = client.get(tier_url, headers=headers).get_json()
    assert listed[0]["translations"] == tier["translations"]

    # A PATCH with translations replaces the whole map.
    changed = client.patch(url, json={"translations": {"uk": {"name": "Пісні"}}}, headers=headers)
    assert changed.status_code == 200
    assert client.get(url, headers=headers).get_json()["translations"] == {"uk": {"name": "Пісні"}}


def test_an_event_without_translations_has_an_empty_map(client, orgs):
    body = client.post("/api/v1/events", json=EVENT, headers=auth(orgs.organizer_token)).get_json()
    assert body["translations"] == {}
    tier_url = f"/api/v1/events/{body['id']}/ticket-types"
    tier = {"name": "Standard", "price_minor": 2500, "capacity": 10}
    assert (
        client.post(tier_url, json=tier, headers=auth(orgs.organizer_token)).get_json()[
            "translations"
        ]
        == {}
    )


@pytest.mark.parametrize(
    "translations",
    [
        {"de": {"name": "Lieder"}},  # not one of en, ru, uk, tr
        {"RU": {"name": "Песни"}},
        {"ru": {"name": "Песни", "colour": "red"}},  # not a known text
        {"ru": {}},  # a translation names the event
        {"ru": {"name": ""}},
        {"ru": {"name": "x" * 201}},
        {"ru": {"name": "Песни\nдля всех"}},  # a line break in a name
        {"ru": {"name": "Песни", "venue": "v" * 301}},
        {"ru": "Песни"},
        ["ru", "Песни"],
    ],
)
def test_bad_event_translations_are_422_on_the_field(client, orgs, db, translations):
    response = client.post(
        "/api/v1/events",
        json={**EVENT, "translations": translations},
        headers=auth(orgs.organizer_token),
    )
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["code"] == "validation_error" and "translations" in body["errors"]
    assert db.session.execute(select(Event)).first() is None


@pytest.mark.parametrize(
    "translations",
    [{"ru": {"name": "Стандарт", "venue": "Зал"}}, {"fr": {"name": "Standard"}}, {"ru": {}}],
)
def test_bad_tier_translations_are_422_on_the_field(client, orgs, db, translations):
    event = factories.event(orgs.org)
    db.session.commit()
    tier = {"name": "Standard", "price_minor": 2500, "capacity": 10, "translations": translations}
    response = client.post(
        f"/api/v1/events/{event.id}/ticket-types", json=tier, headers=auth(orgs.organizer_token)
    )
    assert response.status_code == 422, response.get_json()
    assert "translations" in response.get_json()["errors"]
    assert db.session.execute(select(TicketType)).first() is None


def test_a_translated_description_keeps_its_lines(client, orgs):
    body = {**EVENT, "translations": {"tr": TURKISH}}
    created = client.post("/api/v1/events", json=body, headers=auth(orgs.organizer_token))
    assert created.status_code == 201
    assert created.get_json()["translations"]["tr"]["description"] == "Bir akşam\nşarkılar."


# --- the helpers ---------------------------------------------------------------


def test_event_text_picks_the_language_and_falls_back_to_the_main_text():
    event = Event(
        name="Songs for Shelter",
        description="An evening of songs.",
        venue="Babylon",
        beneficiary="Shelter fund",
        translations={"ru": RUSSIAN, "tr": TURKISH},
    )
    assert event.text("name", "ru") == "Песни для приюта"
    assert event.text("name", "ru_RU") == event.text("name", "ru-RU") == "Песни для приюта"
    assert event.text("name", Locale("ru")) == "Песни для приюта"
    assert event.text("beneficiary", "ru") == "Фонд приюта"
    assert event.text("description", "ru") == "An evening of songs."  # not given in Russian
    assert event.text("venue", "tr") == "Babylon"
    assert event.text("name", "uk") == "Songs for Shelter"  # no Ukrainian at all
    assert event.text("name", "en") == event.text("name", None) == "Songs for Shelter"
    with pytest.raises(ValueError):
        event.text("slug", "ru")


def test_tier_display_name_falls_back_to_the_main_name():
    tier = TicketType(name="Standard", translations={"ru": {"name": "Стандарт"}})
    assert tier.display_name("ru") == "Стандарт"
    assert tier.display_name("tr") == "Standard"
    assert TicketType(name="Patron", translations={}).display_name("ru") == "Patron"


# --- the pages -----------------------------------------------------------------


def test_the_event_page_shows_the_readers_language(client, orgs, db, lang_from_query):
    event = factories.event(orgs.org, name="Songs for Shelter", venue="Babylon", published=True)
    event.translations = {"ru": RUSSIAN}
    tier = factories.tier(event, name="Standard")
    tier.translations = {"ru": {"name": "Стандарт"}}
    factories.tier(event, name="Patron")  # no Russian name
    db.session.commit()

    russian = html.unescape(client.get(f"/events/{event.slug}?lang=ru").get_data(as_text=True))
    assert "<h1>Песни для приюта</h1>" in russian
    assert "Вавилон, Стамбул" in russian and "Фонд приюта" in russian
    assert '<div class="tier-name">Стандарт</div>' in russian
    assert '<div class="tier-name">Patron</div>' in russian  # falls back

    english = html.unescape(client.get(f"/events/{event.slug}").get_data(as_text=True))
    assert "<h1>Songs for Shelter</h1>" in english and "Песни" not in english
    turkish = html.unescape(client.get(f"/events/{event.slug}?lang=tr").get_data(as_text=True))
    assert "<h1>Songs for Shelter</h1>" in turkish  # no Turkish texts: the main ones

    listing = html.unescape(client.get("/?lang=ru").get_data(as_text=True))
    assert "Песни для приюта" in listing and "Вавилон, Стамбул" in listing


def test_event_texts_follow_the_language_the_request_chose(app):
    with app.test_request_context("/?lang=ru"):
        assert templating.page_locale() == "ru"
    with app.test_request_context("/", headers={"Accept-Language": "tr-TR,tr;q=0.9"}):
        assert templating.page_locale() == "tr"


# --- the organizer's form ---------------------------------------------------------

EVENT_FORM = {
    "name": "Songs for Shelter",
    "venue": "Babylon, Istanbul",
    "starts_at": "2026-12-19T19:30",
    "timezone": "Europe/Istanbul",
    "currency": "EUR",
}


def test_the_event_form_edits_translations_beside_the_main_text(client, team, db):
    event = factories.event(team.org, name="Songs for Shelter", currency="EUR")
    event.translations = {"en": {"name": "Songs for Shelter (EN)"}}  # given through the API
    db.session.commit()
    login(client, "organizer@example.test")
    url = f"/manage/events/{event.id}/edit"
    typed = {
        **EVENT_FORM,
        "ru-name": " Песни для приюта ",
        "ru-venue": "Вавилон",
        "tr-name": "Barınak için şarkılar",
        "tr-description": "Bir akşam\nşarkılar.",
    }
    response = post_form(client, url, typed)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).translations == {
        "en": {"name": "Songs for Shelter (EN)"},  # kept: the form shows ru, uk, tr
        "ru": {"name": "Песни для приюта", "venue": "Вавилон"},
        "tr": {"name": "Barınak için şarkılar", "description": "Bir akşam\nşarkılar."},
    }
    page = html.unescape(client.get(url).get_data(as_text=True))
    assert 'name="ru-name"' in page and 'value="Песни для приюта"' in page
    assert 'name="uk-beneficiary"' in page and "Name (Українська)" in page
    assert 'class="texts-row"' in page


def test_a_translation_without_its_name_is_refused_under_that_input(client, team, db):
    event = factories.event(team.org, currency="EUR")
    db.session.commit()
    login(client, "organizer@example.test")
    url = f"/manage/events/{event.id}/edit"
    response = post_form(client, url, {**EVENT_FORM, "uk-venue": "Вавилон"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = '<p class="field-error" id="uk-name-error">This field is required.</p>'
    assert error in page and page.index(error) > page.index('name="uk-name"')
    db.session.expire_all()
    assert db.session.get(Event, event.id).translations == {}


def test_the_tier_form_edits_the_tiers_names(client, team, db):
    event = factories.event(team.org, currency="EUR")
    db.session.commit()
    login(client, "organizer@example.test")
    tier_form = {"name": "Standard", "price": "25", "capacity": "100", "max_per_order": "10"}
    typed = {**tier_form, "ru-name": "Стандарт", "uk-name": "Стандартний"}
    assert post_form(client, f"/manage/events/{event.id}/tiers/new", typed).status_code == 302
    tier = db.session.execute(select(TicketType)).scalar_one()
    assert tier.translations == {"ru": {"name": "Стандарт"}, "uk": {"name": "Стандартний"}}
    page = html.unescape(
        client.get(f"/manage/events/{event.id}/tiers/{tier.id}/edit").get_data(as_text=True)
    )
    assert 'value="Стандартний"' in page
