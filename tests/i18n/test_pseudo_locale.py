"""Every page and email in a pseudo-language: no English left in what people read.

The pseudo catalog is built at test time from the real one: every text comes
back wrapped as ⟦text⟧. A page rendered in it must show nothing outside the
wrappers but data (names, which are Cyrillic here, numbers, codes, e-mail
addresses) and a few words that are the same in every language (Stripe, QR,
CSV...). An English word outside ⟦⟧ is a text somebody forgot to mark.
Georgian (`ka`) stands in for the pseudo-language: its dates and month names
are in its own script, so nothing Latin comes from Babel's formats either.
"""

import json
import re
from html.parser import HTMLParser

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.support import factories as f
from tests.support.catalogs import TRANSLATIONS
from tests.support.web import csrf_token, login_as
from ticketing.accounts import services as accounts
from ticketing.accounts.models import Organization
from ticketing.delivery.message import build_ticket_email
from ticketing.events.models import Event
from ticketing.orders.access import seal
from ticketing.payments import ledger
from ticketing.payments.models import Payment
from ticketing.tickets.services import issue_tickets

PSEUDO = "ka"
# Words that stay as they are in every language, and what data may look like.
SAME_EVERYWHERE = {"Stripe", "QR", "CSV", "API", "CVC", "UTC", "GMT", "Bearer", "Authorization"}
DATA = re.compile(
    r"\S+@\S+|https?://\S+|\b[a-z0-9-]+\.(?:ics|csv)\b|\b\d\S*|\b[A-Z][a-z]+/[A-Za-z_/]+"
)  # e-mail addresses, links, file names, numbers, time zones (Europe/Istanbul)
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
PLACEHOLDER = re.compile(r"(%\(\w+\)[sd]|\{\w+\})")
# Attributes people read (or hear, with a screen reader).
READ_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "data-confirm")


class VisibleText(HTMLParser):
    """The text a person sees or hears; the language switcher (each link in its
    own language, `lang=`), <option>s (time zones, currencies) and <code> are data."""

    SKIP = {"script", "style", "option", "code"}
    VOID = {"input", "img", "meta", "link", "br", "hr", "rect", "path", "line", "circle"}

    def __init__(self):
        super().__init__()
        self.parts, self.stack, self.strings = [], [], {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in READ_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append(" " + attrs[name] + " ")
        if attrs.get("data-strings"):
            self.strings = json.loads(attrs["data-strings"])
        if tag in self.VOID:
            return
        skipping = tag in self.SKIP or (tag != "html" and "lang" in attrs)
        self.stack.append(skipping)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.parts.append(data)


def untranslated(text: str) -> list[str]:
    """The words of `text` outside every ⟦...⟧ that are not data."""
    previous = None
    while previous != text:
        previous, text = text, re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
    assert "⟦" not in text and "⟧" not in text, f"unbalanced wrappers in {text!r}"
    text = DATA.sub(" ", text)
    return [w for w in WORD.findall(text) if w not in SAME_EVERYWHERE and not w.isupper()]


def english_left_in(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    words = untranslated(" ".join(parser.parts))
    for key, value in parser.strings.items():
        value = PLACEHOLDER.sub(" ", value)  # filled in by the script
        assert "⟦" in value and untranslated(value) == [], f"scanner word {key}: {value!r}"
    return words


@pytest.fixture
def pseudo_app(make_app, tmp_path):
    """The app with a fifth language whose catalog wraps every text."""
    with (TRANSLATIONS / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        real = read_po(source)
    pseudo = Catalog(locale=PSEUDO)
    for message in real:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            string = tuple(wrapped(form) for form in message.id)
        else:
            string = wrapped(message.id)
        pseudo.add(message.id, string, flags=message.flags)
    folder = tmp_path / PSEUDO / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as target:
        write_mo(target, pseudo)
    return make_app(
        LANGUAGES=("en", "ru", "uk", "tr", PSEUDO),
        BABEL_TRANSLATION_DIRECTORIES=f"translations;{tmp_path}",
    )


def meta_csrf(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def wrapped(text: str) -> str:
    """Each piece of text between placeholders wrapped; the placeholders stay
    outside, so a value put in them (a status, a name) is checked too."""
    pieces = PLACEHOLDER.split(text)
    return "".join(
        p if PLACEHOLDER.fullmatch(p) or not WORD.search(p) else f"⟦{p}⟧" for p in pieces
    )


def person(org, name, email, role):
    user = accounts.create_user(email, name, "password-123")
    return accounts.add_member(user, org, role)


def test_every_page_and_email_is_translated(pseudo_app, db, org, concert):
    ids = (org.id, concert.id)
    db.session.commit()
    with pseudo_app.app_context():
        _every_page_and_email(pseudo_app, db, *ids)


def _every_page_and_email(app, db, org_id, event_id):
    org, concert = db.session.get(Organization, org_id), db.session.get(Event, event_id)
    organizer = person(org, "Ирина Петрова", "irina@example.test", "organizer")
    door = person(org, "Олег Смирнов", "oleg@example.test", "door")
    tier = concert.ticket_types[0]
    order = f.paid_order(concert, [(tier, 2)], buyer="Анна Ковальчук")
    order.donation_minor, order.total_minor = 5000, order.total_minor + 5000
    order.email_status, order.email_attempts = "sent", 1
    token = seal(order)
    tickets = issue_tickets(order)
    payment = Payment(order_id=order.id, stripe_payment_intent_id="pi_test_ka",
                      amount_minor=order.total_minor, fee_minor=300, currency="TRY")  # fmt: skip
    db.session.add(payment)
    ledger.record(concert.id, "ticket_sale", order.tickets_minor, "TRY", order_id=order.id)
    ledger.record(concert.id, "fee", 300, "TRY", order_id=order.id)
    db.session.commit()
    client = app.test_client()
    client.get("/?lang=ka")  # the cookie keeps the language for every page below

    buyer_pages = [
        "/",
        f"/events/{concert.slug}",
        f"/orders/{order.id}/{token}",
        f"/orders/{order.id}/{token}?paid=1",
        f"/checkout/{order.id}/cancel?token={token}",
        "/no-such-page",
        "/login",
    ]
    pages = {url: client.get(url) for url in buyer_pages}
    form = pages[f"/events/{concert.slug}"]
    pages["buy form with errors"] = client.post(f"/events/{concert.slug}/buy", data={
        "csrf_token": csrf_token(form.data), "buyer_name": "Анна", "buyer_email": "анна",
        "donation": "много",
    })  # fmt: skip

    login_as(client, organizer.user)
    scanner = client.get(f"/door?event={concert.id}")
    scan = client.post("/api/v1/checkins", json={
        "code": tickets[0].code, "event_id": concert.id, "nonce": "pseudo-1",
    }, headers={"X-CSRFToken": meta_csrf(scanner.get_data(as_text=True))})  # fmt: skip
    assert scan.status_code == 200, scan.get_json()
    again = client.post("/api/v1/checkins", json={
        "code": tickets[0].code, "event_id": concert.id, "nonce": "pseudo-2",
    }, headers={"X-CSRFToken": meta_csrf(scanner.get_data(as_text=True))})  # fmt: skip
    assert again.status_code == 409 and again.get_json()["message"].startswith("⟦")
    staff_pages = [
        "/manage/events",
        "/manage/events/new",
        f"/manage/events/{concert.id}/edit",
        f"/manage/events/{concert.id}/tiers/new",
        f"/manage/events/{concert.id}/tiers/{tier.id}/edit",
        f"/manage/events/{concert.id}/dashboard",
        f"/manage/orders/{order.id}",
        f"/manage/events/{concert.id}/checkins",
        f"/door?event={concert.id}",
        "/door",
        "/team",
        "/tokens",
        "/profile",
    ]
    pages.update({url: client.get(url) for url in staff_pages})
    tier_form = pages[f"/manage/events/{concert.id}/tiers/new"]
    pages["tier form with errors"] = client.post(f"/manage/events/{concert.id}/tiers/new", data={
        "csrf_token": csrf_token(tier_form.data), "name": "Ложа", "price": "дорого",
        "capacity": "5", "max_per_order": "2",
    })  # fmt: skip
    login_as(client, door.user)
    pages["/door (door staff)"] = client.get(f"/door?event={concert.id}")

    left = {}
    for url, response in pages.items():
        assert response.status_code in (200, 404, 422), (url, response.status_code)
        html = response.get_data(as_text=True)
        assert f'<html lang="{PSEUDO}">' in html, url
        left[url] = english_left_in(html)
    left = {url: words for url, words in left.items() if words}
    assert not left, "\n".join(f"{url}: {words}" for url, words in left.items())

    order.locale = PSEUDO
    with app.test_request_context():
        message = build_ticket_email(order, tickets)
    assert message["Subject"].startswith("⟦")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert untranslated(text.replace("Анна Ковальчук", "")) == []
    assert english_left_in(html) == []

    calendar = client.get(f"/orders/{order.id}/{token}/event.ics?lang={PSEUDO}")
    unfolded = calendar.get_data(as_text=True).replace("\r\n ", "")
    description = unfolded.split("DESCRIPTION:")[1].split("\r\n")[0]
    assert "⟦" in description and untranslated(description) == [], description
