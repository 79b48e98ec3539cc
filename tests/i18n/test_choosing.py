"""Which language a page speaks: ?lang (remembered), the browser, the profile,
the event's default; the order keeps the buyer's language for its email."""

import pytest

from tests.support import factories as f
from tests.support.web import bearer, csrf_token, login_as
from ticketing.i18n import current_locale
from ticketing.orders.access import seal
from ticketing.orders.models import Order
from ticketing.tasks.jobs import send_ticket_email
from ticketing.tickets.services import issue_tickets


def lang_of(response) -> str:
    html = response.get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_lang_in_the_address_is_remembered_in_a_cookie(client, concert):
    first = client.get(f"/events/{concert.slug}?lang=uk")
    assert lang_of(first) == "uk" and "Ваші дані" in first.get_data(as_text=True)
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith("lang=uk;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie

    later = client.get("/", headers={"Accept-Language": "tr-TR,tr;q=0.9"})
    assert lang_of(later) == "uk"  # the choice beats the browser
    assert "Найближчі благодійні концерти" in later.get_data(as_text=True)
    assert "lang=" not in later.headers.get("Set-Cookie", "")

    back = client.get("/?lang=en")
    assert lang_of(back) == "en" and "Upcoming benefit concerts" in back.get_data(as_text=True)
    assert client.get("/?lang=xx").headers.get("Set-Cookie") is None  # unknown: ignored


def test_browser_language_then_the_event_default(client, db, concert):
    turkish = client.get(f"/events/{concert.slug}", headers={"Accept-Language": "tr-TR,tr;q=0.9"})
    assert lang_of(turkish) == "tr" and "Ödemeye geç" in turkish.get_data(as_text=True)
    russian = client.get(f"/events/{concert.slug}", headers={"Accept-Language": "ru-RU"})
    assert "26 декабря 2026 г., 19:30" in russian.get_data(as_text=True)

    # A browser asking for none of ours: the event's own default language.
    concert.default_locale = "uk"
    db.session.commit()
    german = client.get(f"/events/{concert.slug}", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert lang_of(german) == "uk" and "26 грудня 2026 р., 19:30" in german.get_data(as_text=True)
    assert lang_of(client.get(f"/events/{concert.slug}")) == "uk"
    # Pages of no event keep English by default.
    assert lang_of(client.get("/", headers={"Accept-Language": "de"})) == "en"


def test_every_page_has_a_switcher_with_plain_links(client, concert):
    html = client.get(f"/events/{concert.slug}?lang=ru").get_data(as_text=True)
    switcher = html.split('<nav class="languages"', 1)[1].split("</nav>", 1)[0]
    for code, name in (("en", "English"), ("ru", "Русский"), ("uk", "Українська"),
                       ("tr", "Türkçe")):  # fmt: skip
        assert f'href="?lang={code}" hreflang="{code}" lang="{code}"' in switcher
        assert name in switcher
    assert 'lang="ru" aria-current="true"' in switcher
    page = client.get(f"/events/{concert.slug}")
    refused = client.post(f"/events/{concert.slug}/buy", data={"csrf_token": csrf_token(page.data)})
    assert refused.status_code == 422  # the form's answer links to the event page, not /buy
    assert f'href="/events/{concert.slug}?lang=uk"' in refused.get_data(as_text=True)
    error = client.get("/nothing-here?lang=tr")
    assert error.status_code == 404 and 'href="?lang=ru"' in error.get_data(as_text=True)
    assert "Bu adreste hiçbir şey yok." in error.get_data(as_text=True)


def test_staff_choose_their_language_in_the_profile(client, db, org, concert):
    organizer = f.member(org, "organizer")
    db.session.commit()
    login_as(client, organizer.user)
    page = client.get("/profile", headers={"Accept-Language": "en"})
    assert "Language of the pages" in page.get_data(as_text=True)
    saved = client.post("/profile", data={"csrf_token": csrf_token(page.data), "locale": "tr"})
    assert saved.status_code == 302
    events = client.get("/manage/events", headers={"Accept-Language": "en"})
    assert lang_of(events) == "tr" and "Etkinliklerim" in events.get_data(as_text=True)
    bad = client.post("/profile", data={"csrf_token": csrf_token(page.data), "locale": "de"})
    assert bad.status_code == 422


def test_the_api_takes_the_buyer_language_and_answers_in_it(client, db, concert):
    tier = concert.ticket_types[0]
    body = {"buyer_name": "Петрова", "buyer_email": "p@example.test",
            "items": [{"ticket_type_id": tier.id, "quantity": 11}], "locale": "ru"}  # fmt: skip
    refused = client.post(f"/api/v1/events/{concert.id}/orders", json=body,
                          headers={"Accept-Language": "ru"})  # fmt: skip
    assert refused.status_code == 422
    assert refused.get_json()["code"] == "validation_error"  # codes stay English
    assert "билетов «Партер» в одном заказе" in refused.get_json()["message"]
    wrong = client.post(f"/api/v1/events/{concert.id}/orders", json={**body, "locale": "de"})
    assert wrong.status_code == 422 and "locale" in wrong.get_json()["errors"]


def test_event_default_language_in_the_api(client, db, org):
    _, token = f.accounts.issue_token(f.member(org, "organizer"), "organizer")
    db.session.commit()
    created = client.post("/api/v1/events", headers=bearer(token), json={
        "name": "Вечер", "starts_at": "2027-02-01T19:00:00+03:00", "timezone": "Europe/Istanbul",
        "venue": "Зал", "currency": "TRY", "default_locale": "tr",
    })  # fmt: skip
    assert created.status_code == 201 and created.get_json()["default_locale"] == "tr"
    plain = client.post("/api/v1/events", headers=bearer(token), json={
        "name": "Ещё вечер", "starts_at": "2027-02-02T19:00:00+03:00",
        "timezone": "Europe/Istanbul", "venue": "Зал", "currency": "TRY",
    })  # fmt: skip
    assert plain.get_json()["default_locale"] == "en"


@pytest.mark.parametrize(
    ("locale", "subject", "greeting", "count"),
    [
        ("ru", "Ваши билеты: ", "Здравствуйте, Ирина Петрова!", "Вот ваши 2 билета на:"),
        ("uk", "Ваші квитки: ", "Вітаємо, Ирина Петрова!", "Ось ваші 2 квитки на:"),
        ("tr", "Biletleriniz: ", "Merhaba Ирина Петрова,", "İşte 2 biletiniz:"),
        ("en", "Your tickets: ", "Hello Ирина Петрова,", "Here are your 2 tickets for:"),
    ],
)
def test_the_ticket_email_is_in_the_order_language(
    app, db, concert, smtp_server, locale, subject, greeting, count
):
    order = f.paid_order(concert, [(concert.ticket_types[0], 2)], buyer="Ирина Петрова")
    order.locale = locale
    order.email_status = "pending"  # owed, as mark_paid leaves it
    seal(order)
    issue_tickets(order)
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert send_ticket_email(order.id, manual=True) == "sent"
        assert current_locale() == "en"  # the request's own language is left alone

    ((_, message),) = smtp_server.messages
    assert message["Subject"] == subject + "Концерт «Весна»"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert greeting in text and count in text and f'<html lang="{locale}">' in html
    when = {"ru": "26 декабря 2026 г., 19:30", "uk": "26 грудня 2026 р., 19:30",
            "tr": "26 Aralık 2026 Cumartesi, 19:30", "en": "Sat 26 Dec 2026, 19:30"}  # fmt: skip
    total = {"ru": "1\xa0500,00\xa0₺", "uk": "1\xa0500,00\xa0₺", "tr": "1.500,00\xa0₺",
             "en": "₺1,500.00"}  # fmt: skip
    assert when[locale] in text and total[locale] in text
    assert db.session.get(Order, order.id).email_status == "sent"


def test_the_organizer_sets_the_event_default_language_on_the_form(client, db, org, concert):
    organizer = f.member(org, "organizer")
    db.session.commit()
    login_as(client, organizer.user)
    url = f"/manage/events/{concert.id}/edit"
    page = client.get(url)
    assert '<select id="default_locale" name="default_locale">' in page.get_data(as_text=True)
    saved = client.post(url, data={
        "csrf_token": csrf_token(page.data), "name": concert.name, "venue": concert.venue,
        "starts_at": "2026-12-26T19:30", "timezone": "Europe/Istanbul", "currency": "TRY",
        "published": "y", "default_locale": "tr",
    })  # fmt: skip
    assert saved.status_code == 302
    db.session.expire_all()
    assert concert.default_locale == "tr"
    visitor = client.get(f"/events/{concert.slug}", headers={"Accept-Language": "de"})
    assert lang_of(visitor) == "tr"  # a browser asking for none of ours


def test_field_errors_of_the_api_are_in_the_request_language(client, concert):
    answer = client.post(f"/api/v1/events/{concert.id}/orders", json={"buyer_name": "Петрова",
                         "items": "много"}, headers={"Accept-Language": "uk"})  # fmt: skip
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["code"] == "validation_error"
    assert body["message"] == "У запиті є неправильні поля; див. errors."
    assert body["errors"]["buyer_email"] == ["Обов’язкове поле не заповнено."]
    assert body["errors"]["items"] == ["Це не список."]
