"""A reservation's emails besides its tickets: the payment reminder before its
deadline, and the word that it lapsed and its seats were released. Plain
text, in the buyer's language (`orders.locale`), with the amount due and the
deadline in the event's time zone."""

from email.message import EmailMessage
from email.utils import formataddr, formatdate

from flask import current_app
from flask_babel import force_locale, gettext

from ticketing.delivery.message import (
    SENDER_NAME,
    _domain,
    _render,
    build_ticket_email,
    external_url,
    header_text,
    message_id,
    order_link,
)
from ticketing.orders.models import Order, OrderStatus
from ticketing.tickets.models import Ticket


def build_order_email(order: Order, tickets: list[Ticket], attempt: int = 0) -> EmailMessage:
    """What the order's outbox owes: its tickets (paid, or a reservation's
    unpaid ones), or, for a reservation that lapsed, the word it was released."""
    if order.status == OrderStatus.EXPIRED and order.payment_reference:
        return build_released_email(order, attempt)
    return build_ticket_email(order, tickets, attempt)


def _message(order: Order, subject: str, kind: str, attempt: int, body: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = formataddr((gettext(SENDER_NAME), current_app.config["MAIL_SENDER"]))
    message["To"] = formataddr((header_text(order.buyer_name), order.buyer_email))
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id(
        kind, order.id, attempt, _domain(current_app.config["MAIL_SENDER"])
    )
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def build_released_email(order: Order, attempt: int = 0) -> EmailMessage:
    """The reservation lapsed unpaid: its seats are free again."""
    with force_locale(order.locale or "en"):
        event = order.event
        name = header_text(event.text("name", order.locale or "en"))
        link = external_url("events.event_page", slug=event.slug)
        body = _render(
            "emails/reservation_released.txt", {"order": order, "event": event, "link": link}
        )
        subject = gettext("Reservation released: %(event)s", event=name)
        return _message(order, subject, "released", attempt, body)


def build_payment_reminder(order: Order) -> EmailMessage:
    """Before the deadline: bring the cash, or make the transfer, with the reference."""
    with force_locale(order.locale or "en"):
        event = order.event
        name = header_text(event.text("name", order.locale or "en"))
        context = {"order": order, "event": event, "link": order_link(order)}
        body = _render("emails/payment_reminder.txt", context)
        subject = gettext("Your reservation is not paid yet: %(event)s", event=name)
        return _message(order, subject, "payment-reminder", 1, body)
