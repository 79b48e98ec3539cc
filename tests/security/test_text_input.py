"""Issue 13, finding 6: control characters and lone surrogates in text.

A CR/LF in a buyer's name used to be stored, then broke the ticket email
and, through it, `send-pending-emails` for every later order. Every text
field of the API and of the forms refuses them (422 with the field), and a
batch keeps going past an order that still cannot be sent.
"""

import json

import pytest
from sqlalchemy import func, select

from tests.support import factories as f
from tests.support.mail import Inbox
from tests.support.servers import free_port
from tests.support.web import csrf_token, login_as
from ticketing.accounts.services import issue_token
from ticketing.events.models import Event
from ticketing.orders.models import Order
from ticketing.tasks.jobs import send_pending_emails
from ticketing.tickets.services import issue_tickets

pytestmark = pytest.mark.usefixtures("fresh_request_globals", "outbox")

BAD_TEXTS = ["Ada\r\nBcc: victim@evil.test", "Ada\x00", "Ada\x07", "Ada\x85", "Ada\u2028"]


@pytest.fixture
def concert(db):
    org = f.organization()
    event = f.event(org, currency="USD")
    tier = f.tier(event, name="Free seat", price_minor=0, capacity=50)
    organizer = f.member(org, "organizer")
    db.session.commit()
    return event, tier, organizer


def orders(db) -> int:
    db.session.commit()
    return db.session.execute(select(func.count()).select_from(Order)).scalar()


def post_order(client, event, tier, **fields):
    body = {
        "buyer_name": "Ada Buyer",
        "buyer_email": "ada@example.test",
        "items": [{"ticket_type_id": tier.id, "quantity": 1}],
        **fields,
    }
    return client.post(f"/api/v1/events/{event.id}/orders", json=body)


@pytest.mark.parametrize("bad", BAD_TEXTS)
def test_an_order_with_a_control_character_in_the_name_is_refused(client, db, concert, bad):
    event, tier, _ = concert
    response = post_order(client, event, tier, buyer_name=bad)
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == "validation_error" and "buyer_name" in body["errors"]
    assert orders(db) == 0


def test_a_lone_surrogate_is_a_422_not_a_500(client, db, concert):
    event, tier, _ = concert
    raw = (
        '{"buyer_name": "Ada \\ud800", "buyer_email": "ada@example.test", '
        f'"items": [{{"ticket_type_id": {tier.id}, "quantity": 1}}]}}'
    )
    response = client.post(
        f"/api/v1/events/{event.id}/orders", data=raw, content_type="application/json"
    )
    assert response.status_code == 422
    assert "buyer_name" in response.get_json()["errors"]
    assert orders(db) == 0


def test_a_lone_surrogate_in_an_event_description_is_refused(client, db, concert):
    event, tier, organizer = concert
    _, token = issue_token(organizer, "organizer")
    db.session.commit()
    raw = json.dumps({"name": "Night", "venue": "Hall"})[:-1] + ', "description": "x\\udfff"}'
    response = client.patch(
        f"/api/v1/events/{event.id}",
        data=raw,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert "description" in response.get_json()["errors"]


def test_a_description_keeps_its_lines_but_not_other_controls(client, db, concert):
    event, _, organizer = concert
    _, token = issue_token(organizer, "organizer")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/events/{event.id}"
    ok = client.patch(url, json={"description": "Line one\r\nLine two\n\tend"}, headers=headers)
    assert ok.status_code == 200, ok.get_data(as_text=True)
    assert ok.get_json()["description"] == "Line one\r\nLine two\n\tend"
    for bad in ("bell\x07", "escape\x1b[31m", "c1\x9b"):
        refused = client.patch(url, json={"description": bad}, headers=headers)
        assert refused.status_code == 422 and "description" in refused.get_json()["errors"]
    refused = client.patch(url, json={"name": "Two\nlines"}, headers=headers)
    assert refused.status_code == 422 and "name" in refused.get_json()["errors"]
    db.session.expire_all()
    assert db.session.get(Event, event.id).description == "Line one\r\nLine two\n\tend"


def test_the_buy_form_refuses_a_control_character_in_the_name(client, db, concert):
    event, tier, _ = concert
    token = csrf_token(client.get(f"/events/{event.slug}").data)
    response = client.post(
        f"/events/{event.slug}/buy",
        data={
            "csrf_token": token,
            f"qty_{tier.id}": "1",
            "buyer_name": "Ada\r\nBcc: victim@evil.test",
            "buyer_email": "ada@example.test",
        },
    )
    assert response.status_code == 422
    assert "control characters" in response.get_data(as_text=True)
    assert orders(db) == 0


def test_an_organizer_form_refuses_a_control_character(client, db, concert):
    _, _, organizer = concert
    login_as(client, organizer.user)
    page = client.get("/team")
    response = client.post(
        "/team",
        data={
            "csrf_token": csrf_token(page.data),
            "name": "Mallory\r\nX",
            "email": "mallory@example.test",
            "password": "long-enough-1",
            "role": "door",
        },
    )
    assert response.status_code == 422
    assert "control characters" in response.get_data(as_text=True)


def _paid(db, event, tier, name: str, email: str) -> int:
    order = f.paid_order(event, [(tier, 1)], buyer=name)
    order.buyer_email = email
    issue_tickets(order)
    order.email_status = "pending"
    db.session.commit()
    return order.id


@pytest.fixture
def smtp(app):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_TIMEOUT=5)
    yield inbox
    controller.stop()


def test_a_bad_name_stored_before_the_fix_still_gets_its_tickets(db, concert, smtp):
    event, tier, _ = concert
    order_id = _paid(db, event, tier, "Eve\r\nBcc: victim@evil.test", "eve@example.test")

    assert send_pending_emails() == (1, 0)

    (recipients, message) = smtp.messages[0]
    assert recipients == ["eve@example.test"]
    assert str(message["To"]) == '"Eve Bcc: victim@evil.test" <eve@example.test>'
    assert message["Bcc"] is None
    assert db.session.get(Order, order_id).email_status == "sent"


def test_one_order_that_cannot_be_sent_does_not_stop_the_batch(db, concert, smtp, runner):
    event, tier, _ = concert
    broken = _paid(db, event, tier, "Eve", "eve@example.test\r\nBcc: victim@evil.test")
    later = _paid(db, event, tier, "Bob", "bob@example.test")

    result = runner.invoke(args=["send-pending-emails"])

    assert result.exit_code == 0, result.output
    assert "1 sent, 1 failed" in result.output
    assert [rcpt for rcpt, _ in smtp.messages] == [["bob@example.test"]]
    db.session.expire_all()
    assert db.session.get(Order, later).email_status == "sent"
    failed = db.session.get(Order, broken)
    assert failed.email_status == "failed" and failed.email_attempts == 1
    assert "ValueError" in failed.email_error
