"""The ticket email: a real SMTP server, failures and retries, the dev outbox, the CLI."""

import email
import logging
from email import policy

from aiosmtpd.controller import Controller

from tests.support.mail import Inbox, inline_images
from tests.support.servers import free_port
from tests.support.tickets import decode_png
from ticketing.orders.access import access_token_for
from ticketing.orders.models import Order
from ticketing.orders.signals import order_paid
from ticketing.tasks.jobs import send_pending_emails, send_ticket_email
from ticketing.tickets.services import revoke_tickets


def _order(db, order_id) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order_id)


def test_paid_signal_delivers_email_whose_qr_images_decode_to_the_codes(
    app, db, make_paid_order, smtp_server, client
):
    paid = make_paid_order(quantities=(2, 1), buyer="Zeynep Kaya", donation_minor=500)
    order_paid.send(app, order_id=paid.order_id)

    assert len(smtp_server.messages) == 1
    recipients, message = smtp_server.messages[0]
    assert recipients == ["ada@example.test"]
    assert message["Subject"] == "Your tickets: Songs for Shelter"
    assert message["To"] == "Zeynep Kaya <ada@example.test>"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = f"http://localhost/orders/{paid.order_id}/{paid.token}"
    assert link in text and f'href="{link}"' in html
    assert "19:30" in text and "Moda Sahnesi" in html and "Your donation: $5.00" in text

    images = inline_images(message)
    assert len(images) == 3
    for cid in images:
        assert f'src="cid:{cid}"' in html
    decoded = sorted(decode_png(data).text for data in images.values())
    assert decoded == sorted(paid.codes)

    order = _order(db, paid.order_id)
    assert (order.status, order.email_status, order.email_attempts) == ("paid", "sent", 1)
    assert order.email_error == ""
    # The webhook and the success page may both announce the payment: one email.
    order_paid.send(app, order_id=paid.order_id)
    assert len(smtp_server.messages) == 1
    # The link in the email opens the page with the tickets.
    page = client.get(link.removeprefix("http://localhost"))
    assert page.status_code == 200 and all(
        code[:4] in page.get_data(as_text=True) for code in paid.codes
    )


def test_smtp_failure_keeps_the_order_paid_and_a_later_run_sends_it(
    app, db, make_paid_order, closed_port, runner
):
    paid = make_paid_order(quantities=(1,))
    order_paid.send(app, order_id=paid.order_id)  # must not raise: the payment stands

    order = _order(db, paid.order_id)
    assert order.status == "paid" and order.email_status == "failed"
    assert order.email_attempts == 1 and "refused" in order.email_error.lower()

    # The server comes up; the retry command finds the order and sends it.
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config["MAIL_PORT"] = controller.port
        result = runner.invoke(args=["send-pending-emails"])
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed" in result.output
    assert len(inbox.messages) == 1
    (data,) = inline_images(inbox.messages[0][1]).values()
    assert decode_png(data).text == paid.codes[0]
    order = _order(db, paid.order_id)
    assert (order.email_status, order.email_attempts, order.email_error) == ("sent", 2, "")


def test_retries_are_bounded(app, db, make_paid_order, closed_port):
    paid = make_paid_order(quantities=(1,))
    for _ in range(4):
        assert send_ticket_email(paid.order_id, manual=True) == "failed"
    assert send_pending_emails(max_attempts=5) == (0, 1)
    assert send_pending_emails(max_attempts=5) == (0, 0)
    assert _order(db, paid.order_id).email_attempts == 5


def test_without_mail_server_the_message_lands_in_the_outbox(
    app, db, make_paid_order, outbox, caplog, monkeypatch
):
    # Alembic's fileConfig (run by the migrations fixture) disables existing loggers.
    monkeypatch.setattr(logging.getLogger("ticketing.delivery.email"), "disabled", False)
    paid = make_paid_order(quantities=(2,))
    with caplog.at_level(logging.INFO, logger="ticketing.delivery.email"):
        assert send_ticket_email(paid.order_id) == "sent"
    files = list(outbox.glob(f"{paid.order_id}-*.eml"))
    assert len(files) == 1
    assert str(files[0]) in caplog.text
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    decoded = sorted(decode_png(data).text for data in inline_images(message).values())
    assert decoded == sorted(paid.codes)
    assert _order(db, paid.order_id).email_status == "sent"


def test_only_paid_orders_with_valid_tickets_get_an_email(app, db, make_paid_order, smtp_server):
    paid = make_paid_order(quantities=(1,))
    order = db.session.get(Order, paid.order_id)
    order.status, order.email_status = "refunded", "failed"
    revoke_tickets(order)
    db.session.commit()
    assert send_ticket_email(paid.order_id) == "skipped"
    assert send_ticket_email(paid.order_id + 999) == "skipped"
    assert smtp_server.messages == []
    # Nothing is owed any more, so the retry command leaves it alone.
    assert _order(db, paid.order_id).email_status == "none"


def test_resend_tickets_command(app, db, make_paid_order, smtp_server, runner):
    paid = make_paid_order(quantities=(1,))
    first = runner.invoke(args=["resend-tickets", str(paid.order_id)])
    second = runner.invoke(args=["resend-tickets", str(paid.order_id)])
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert "sent to ada@example.test" in second.output
    assert len(smtp_server.messages) == 2
    assert _order(db, paid.order_id).email_attempts == 2
    missing = runner.invoke(args=["resend-tickets", str(paid.order_id + 999)])
    assert missing.exit_code != 0 and "no order" in missing.output


def test_reissue_command_revokes_old_code_and_mails_the_new_one(
    app, db, make_paid_order, smtp_server, runner
):
    paid = make_paid_order(quantities=(1,))
    result = runner.invoke(args=["reissue-ticket", paid.codes[0]])
    assert result.exit_code == 0, result.output
    new_code = result.output.split("new code ")[1].split(".")[0]
    assert new_code != paid.codes[0]
    (data,) = inline_images(smtp_server.messages[0][1]).values()
    assert decode_png(data).text == new_code
    again = runner.invoke(args=["reissue-ticket", paid.codes[0]])
    assert again.exit_code != 0 and "Only a valid ticket" in again.output


def test_receiver_is_per_app(app, make_app, db, make_paid_order, smtp_server):
    """Another app's signal does not send this app's mail (each app has its own receiver)."""
    paid = make_paid_order(quantities=(1,))
    other = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=app.config["MAIL_PORT"])
    order_paid.send(object(), order_id=paid.order_id)
    assert smtp_server.messages == []
    order_paid.send(other, order_id=paid.order_id)
    assert len(smtp_server.messages) == 1
    assert access_token_for(_order(db, paid.order_id)) == paid.token
