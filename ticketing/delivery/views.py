"""The buyer's order page, its calendar file, and the QR images of tickets.

The order page needs no login: its URL carries the order's access token. A
wrong or missing token and an order that does not exist get the same 404, so
the link reveals nothing about which orders exist.
"""

import hashlib

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext

from ticketing.extensions import db
from ticketing.i18n import use_default_locale
from ticketing.orders.access import token_matches
from ticketing.orders.models import Order, OrderStatus
from ticketing.orders.reservation_card import card_payable
from ticketing.tickets import qr
from ticketing.tickets.codes import grouped_code
from ticketing.tickets.ics import event_calendar
from ticketing.tickets.models import TicketStatus
from ticketing.tickets.services import order_tickets, ticket_by_code

bp = Blueprint("tickets", __name__)

NOT_FOUND = lazy_gettext(
    "This ticket link is not valid. Open the link from your ticket email again."
)
# The page's URL is a key: never hand it to other sites, caches or search engines.
PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
IMAGE_CACHE = "public, max-age=31536000, immutable"

STATUS_NOTES = {
    OrderStatus.PAID: (lazy_gettext("Paid"), "ok"),
    OrderStatus.PARTIALLY_REFUNDED: (lazy_gettext("Paid, partly refunded"), "ok"),
    OrderStatus.REFUNDED: (lazy_gettext("Refunded: these tickets are no longer valid"), "bad"),
    OrderStatus.PENDING: (lazy_gettext("Waiting for payment"), "warn"),
    OrderStatus.RESERVED: (lazy_gettext("Reserved, not paid yet"), "warn"),
    OrderStatus.EXPIRED: (
        lazy_gettext("Expired: the payment was not completed in time"),
        "bad",
    ),
    OrderStatus.CANCELED: (lazy_gettext("Canceled: these tickets are no longer valid"), "bad"),
}


def _order_or_404(order_id: int, token: str | None) -> Order:
    order = db.session.get(Order, order_id)
    if not token_matches(order, token):
        abort(404, NOT_FOUND)
    use_default_locale(order.locale)
    return order


def _private(response: Response) -> Response:
    response.headers.update(PRIVATE_HEADERS)
    return response


@bp.get("/orders/<int:order_id>", defaults={"token": None}, endpoint="order_without_token")
@bp.get("/orders/<int:order_id>/<token>")
def order_page(order_id: int, token: str | None):
    order = _order_or_404(order_id, token)
    tickets = order_tickets(order)
    page = render_template(
        "tickets/order.html",
        order=order,
        event=order.event,
        tickets=tickets,
        token=token,
        status_note=STATUS_NOTES.get(order.current_status, (order.current_status, "warn")),
        grouped_code=grouped_code,
        just_paid=request.args.get("paid") == "1",
        reserved=order.current_status == OrderStatus.RESERVED,
        card_payable=card_payable(order),
    )
    return _private(Response(page, mimetype="text/html"))


@bp.get("/orders/<int:order_id>/<token>/event.ics")
def order_ics(order_id: int, token: str):
    order = _order_or_404(order_id, token)
    event = order.event
    valid = sum(1 for t in order_tickets(order) if t.status == TicketStatus.VALID)
    host = request.host.split(":")[0] or "localhost"
    body = event_calendar(
        uid=f"event-{event.id}-order-{order.id}@{host}",
        name=event.name,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        location=event.venue,
        description=ngettext(
            "%(num)d ticket for %(name)s. Your tickets and their QR codes are in your "
            "ticket email.",
            "%(num)d tickets for %(name)s. Your tickets and their QR codes are in your "
            "ticket email.",
            valid,
            name=order.buyer_name,
        ),
        url=url_for("events.event_page", slug=event.slug, _external=True),
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return _private(response)


def _image(code: str, extension: str, mimetype: str, render) -> Response:
    """A QR image, cached for a year: it depends only on the code, which never changes."""
    ticket = ticket_by_code(code)
    if ticket is None or ticket.code != code:
        abort(404, gettext("There is no ticket with this code."))
    digest = hashlib.sha256(f"{qr.RENDER_VERSION}:{extension}:{code}".encode()).hexdigest()
    response = Response(mimetype=mimetype)
    response.set_etag(digest[:32])
    response.headers["Cache-Control"] = IMAGE_CACHE
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.if_none_match.contains(digest[:32]):
        response.status_code = 304
        return response
    response.set_data(render(code))
    return response


@bp.get("/tickets/<code>/qr.svg")
def qr_svg(code: str):
    # A revoked ticket's image is still served: the page marks it, the door refuses it.
    return _image(code, "svg", "image/svg+xml", qr.qr_svg)


@bp.get("/tickets/<code>/qr.png")
def qr_png(code: str):
    return _image(code, "png", "image/png", qr.qr_png)
