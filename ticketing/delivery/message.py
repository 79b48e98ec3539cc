"""The ticket email as a MIME message: text, HTML, and each QR as an inline PNG.

Structure (what mail clients render best):
multipart/alternative [ text/plain, multipart/related [ text/html, image/png... ] ]
The HTML refers to each image by `cid:`; SVG is not used because most mail
clients do not show it. Each image holds only its ticket's code.
"""

from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, gettext

from ticketing.i18n import current_locale
from ticketing.orders.access import access_token_for
from ticketing.orders.models import Order, OrderStatus
from ticketing.schemas import SINGLE_LINE_FORBIDDEN
from ticketing.tickets.codes import grouped_code
from ticketing.tickets.models import Ticket
from ticketing.tickets.qr import qr_png

SENDER_NAME = "Benefit tickets"


def external_url(endpoint: str, **values) -> str:
    """An absolute URL on BASE_URL, built without a request (emails go out from webhooks)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def order_link(order: Order, **params) -> str:
    """The absolute, private link to the order page."""
    return external_url(
        "tickets.order_page", order_id=order.id, token=access_token_for(order), **params
    )


def header_text(text: str) -> str:
    """A name for a header line: whatever was stored before input refused control
    characters, a line break must never start another header."""
    return " ".join(SINGLE_LINE_FORBIDDEN.sub(" ", text or "").split())


def message_id(kind: str, order_id: int, attempt: int, domain: str) -> str:
    """Stable per order and attempt: a retry of the same attempt carries the same id."""
    return f"<{kind}-{order_id}.{attempt}@{domain}>"


def build_ticket_email(order: Order, tickets: list[Ticket], attempt: int = 0) -> EmailMessage:
    """The message for a paid order's valid tickets, or a reservation's unpaid
    ones (the caller decides who gets one), written in the buyer's language
    (`orders.locale`)."""
    with force_locale(order.locale or "en"):
        return _build_ticket_email(order, tickets, attempt)


def _build_ticket_email(order: Order, tickets: list[Ticket], attempt: int) -> EmailMessage:
    event = order.event
    domain = _domain(current_app.config["MAIL_SENDER"])
    images = [
        (ticket, make_msgid(idstring=f"qr-{ticket.code}", domain=domain)) for ticket in tickets
    ]
    context = {
        "html_lang": current_locale(),
        "order": order,
        "event": event,
        "link": order_link(order),
        "tickets": [
            {"ticket": t, "grouped": grouped_code(t.code), "cid": cid[1:-1]} for t, cid in images
        ],
    }
    message = EmailMessage()
    name = header_text(event.text("name", order.locale or "en"))
    if order.status == OrderStatus.RESERVED:
        message["Subject"] = gettext("Your reservation: %(event)s", event=name)
    else:
        message["Subject"] = gettext("Your tickets: %(event)s", event=name)
    message["From"] = formataddr((gettext(SENDER_NAME), current_app.config["MAIL_SENDER"]))
    message["To"] = formataddr((header_text(order.buyer_name), order.buyer_email))
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id("tickets", order.id, attempt, domain)
    # Mail robots (vacation replies) should not answer a ticket email.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_render("emails/tickets.txt", context))
    message.add_alternative(_render("emails/tickets.html", context), subtype="html")
    html_part = message.get_payload()[1]
    for ticket, cid in images:
        html_part.add_related(
            qr_png(ticket.code),
            maintype="image",
            subtype="png",
            cid=cid,
            filename=f"ticket-{ticket.code}.png",
            disposition="inline",
        )
    return message


def build_reminder_email(order: Order, count: int) -> EmailMessage:
    """The day-before reminder: plain text, the link to the order page, in the
    buyer's language."""
    with force_locale(order.locale or "en"):
        return _build_reminder_email(order, count)


def _build_reminder_email(order: Order, count: int) -> EmailMessage:
    event = order.event
    domain = _domain(current_app.config["MAIL_SENDER"])
    context = {"order": order, "event": event, "link": order_link(order), "count": count}
    message = EmailMessage()
    name = header_text(event.text("name", order.locale or "en"))
    message["Subject"] = gettext("Tomorrow: %(event)s", event=name)
    message["From"] = formataddr((gettext(SENDER_NAME), current_app.config["MAIL_SENDER"]))
    message["To"] = formataddr((header_text(order.buyer_name), order.buyer_email))
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id("reminder", order.id, 1, domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_render("emails/reminder.txt", context))
    return message


def _render(name: str, context: dict) -> str:
    """Without the page context processors: they may need a request, and emails have none."""
    return current_app.jinja_env.get_template(name).render(**context)


def _domain(sender: str) -> str:
    return sender.rpartition("@")[2] or "localhost"
