"""The buyer's order page names the event and the tiers in the reader's language."""

import html

import pytest
from flask import request

from ticketing import templating
from ticketing.events.models import Event

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


def test_order_page_in_russian_with_the_main_text_where_none_is_given(
    client, db, make_paid_order, monkeypatch
):
    monkeypatch.setattr(templating, "page_locale", lambda: request.args.get("lang", "en"))
    russian = {"name": "Песни для приюта", "venue": "Сцена Мода, Кадыкёй"}
    paid = make_paid_order(quantities=(1, 1), translations={"ru": russian})
    event = db.session.get(Event, paid.event_id)
    event.ticket_types[0].translations = {"ru": {"name": "Первый ряд"}}
    db.session.commit()

    page = html.unescape(client.get(paid.path + "?lang=ru").get_data(as_text=True))
    assert '<h1 id="order-title">Песни для приюта</h1>' in page
    assert "Сцена Мода, Кадыкёй" in page
    assert '<p class="ticket-tier">Первый ряд</p>' in page
    assert '<p class="ticket-tier">Tier 2</p>' in page  # no Russian name: the main one

    english = html.unescape(client.get(paid.path).get_data(as_text=True))
    assert '<h1 id="order-title">Songs for Shelter</h1>' in english and "Первый" not in english
