"""The door API: scan a ticket, search attendees, count who is in, undo a check-in.

The scan answer is serialized once and stored with the attempt, so a retry
with the same nonce gets byte for byte the same answer. That is why the scan,
alone here, returns its stored JSON instead of being dumped through
ScanOkSchema (which documents it): dumping would build the answer a second
time on the door's hot path, and a replay must not depend on the schema.
"""

import re

from flask import Response, abort, request
from flask_babel import gettext
from flask_smorest import Blueprint

from ticketing.accounts.access import visible_or_404
from ticketing.accounts.auth import current_principal, require_role
from ticketing.accounts.models import DOOR_ROLES, MONEY_ROLES
from ticketing.checkin import door_sales, queries, services, undoing
from ticketing.checkin.schemas import (
    AttendeeSchema,
    AttendeeSearchSchema,
    DoorSaleInSchema,
    DoorSaleSchema,
    ScanOkSchema,
    ScanRefusedSchema,
    ScanSchema,
    StatsSchema,
    UndoneSchema,
)
from ticketing.events.models import Event
from ticketing.extensions import db
from ticketing.schemas import ApiErrorSchema

blp = Blueprint(
    "checkin_api",
    __name__,
    url_prefix="/api/v1",
    description="Door check-in: scans, attendee search, live count, undo.",
)

SECURITY = [{"bearerAuth": []}]


UNPRINTABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def printable(text: str, limit: int) -> str:
    """Text safe to store: control characters (NUL breaks PostgreSQL) and lone
    surrogates (not encodable as UTF-8) removed."""
    return UNPRINTABLE.sub("", text).strip()[:limit]


def scanning_device(body: dict) -> str:
    return printable(body.get("device") or request.headers.get("User-Agent") or "", 200)


@blp.route("/checkins", methods=["POST"])
@require_role(*DOOR_ROLES)
@blp.arguments(ScanSchema())
@blp.response(200, ScanOkSchema)
@blp.alt_response(409, schema=ScanRefusedSchema, description="The ticket may not enter")
@blp.alt_response(422, schema=ApiErrorSchema, description="collect_minor is not the amount due")
@blp.doc(security=SECURITY)
def scan(body):
    """Scan a ticket: 200 `ok`, or 409 with the reason.

    The same `nonce` again from the same device (token, or login) for the
    same event returns the first answer and changes nothing; another device
    or event with that nonce gets its own answer.

    A reservation's ticket is refused `unpaid` with `order_id`,
    `amount_due_minor`, `currency`, `buyer_name` and `tickets_in_order`.
    Sent again with `collect_minor` equal to the amount due, the cash is
    recorded for the whole order (by this user and device), its tickets
    become valid and this one enters: 200. Another amount is 422 and changes
    nothing, and so is a collect for a ticket that owes nothing (already in:
    409 `already_checked_in`; a lapsed reservation: 409 `unpaid`).
    """
    principal = current_principal()
    scan_request = services.ScanRequest(
        code=printable(body["code"], 200),
        event_id=body["event_id"],
        nonce=body["nonce"],
        gate=printable(body["gate"], 100),
        device=scanning_device(body),
        collect_minor=body["collect_minor"],
    )
    try:
        answer = services.scan(principal, scan_request)
    except services.NonceTaken:
        db.session.rollback()
        answer = services.stored_answer(principal, scan_request)
    db.session.commit()
    return Response(answer.body_json, status=answer.http_status, mimetype="application/json")


def _visible_event(event_id: int):
    return visible_or_404(current_principal(), Event, event_id, gettext("There is no such event."))


@blp.route("/events/<int:event_id>/attendees", methods=["GET"])
@require_role(*DOOR_ROLES)
@blp.arguments(AttendeeSearchSchema(), location="query")
@blp.response(200, AttendeeSchema(many=True))
@blp.doc(security=SECURITY)
def attendees(args, event_id):
    """Find tickets by holder or buyer name, email, order number or code.

    Door staff see names, tier, code and whether the ticket is in; buyer
    emails only go to organizers and owners. Never money.
    """
    event = _visible_event(event_id)
    principal = current_principal()
    q = printable(args["q"], 200)
    return queries.search_attendees(event, q, with_email=principal.sees_money)


@blp.route("/events/<int:event_id>/checkins/stats", methods=["GET"])
@require_role(*DOOR_ROLES)
@blp.response(200, StatsSchema)
@blp.doc(security=SECURITY)
def checkin_stats(event_id):
    """The live count for the door: tickets checked in and tickets sold."""
    return queries.stats(_visible_event(event_id))


@blp.route("/events/<int:event_id>/door-sales", methods=["POST"])
@require_role(*DOOR_ROLES)
@blp.arguments(DoorSaleInSchema())
@blp.response(201, DoorSaleSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="sold_out: what is left of the tier")
@blp.doc(security=SECURITY)
def door_sale(body, event_id):
    """Sell tickets for cash at the door and let their holders in (door staff too).

    The amount is the tier's price times the quantity; the cash is recorded
    for the volunteer and device that took it, and counts in `manual_minor`.
    The same `nonce` again from the same device returns the first sale and
    sells nothing more (a phone that lost the answer may send it again).
    """
    event = _visible_event(event_id)
    principal = current_principal()
    attempt = services.ScanRequest(
        code="",
        event_id=event.id,
        nonce=body["nonce"],
        gate=printable(body["gate"], 100),
        device=scanning_device(body),
    )
    answer = attempt.nonce and services.stored_answer(principal, attempt)
    if not answer:
        try:
            answer = door_sales.sell_and_admit(
                principal, event, attempt, ticket_type_id=body["ticket_type_id"],
                quantity=body["quantity"],
            )  # fmt: skip
        except services.NonceTaken:
            db.session.rollback()
            answer = services.stored_answer(principal, attempt)
    db.session.commit()
    return Response(answer.body_json, status=answer.http_status, mimetype="application/json")


@blp.route("/checkins/<int:checkin_id>/undo", methods=["POST"])
@require_role(*MONEY_ROLES)
@blp.response(200, UndoneSchema)
@blp.alt_response(409, description="Already undone")
@blp.doc(security=SECURITY)
def undo(checkin_id):
    """Undo a check-in (organizers and owners): the ticket may enter again."""
    checkin = undoing.checkin_for(current_principal(), checkin_id)
    if checkin is None:
        abort(404, gettext("There is no such check-in."))
    undoing.undo(checkin, current_principal())
    db.session.commit()
    return checkin
