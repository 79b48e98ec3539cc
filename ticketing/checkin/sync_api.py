"""The door without network: the door list an offline scanner keeps, and the
batch of scans it sends back when the network returns.

The list is serialized once and gzipped here when the client accepts it
(20,000 tickets are about 5 MB of JSON, about 1 MB gzipped: docs/benchmarks.md,
door_sync); like the scan, it returns its JSON text instead of dumping it
through the schema, which only documents it.
"""

import gzip
import json
from datetime import UTC

from flask import Response, request
from flask_babel import gettext
from flask_smorest import Blueprint

from ticketing.accounts.access import visible_or_404
from ticketing.accounts.auth import current_principal, require_role
from ticketing.accounts.models import DOOR_ROLES
from ticketing.checkin import door_list, offline, services
from ticketing.checkin.api import printable, scanning_device
from ticketing.checkin.sync_schemas import (
    BatchAnswerSchema,
    BatchSchema,
    DoorListQuerySchema,
    DoorListSchema,
)
from ticketing.database import writes_from_now
from ticketing.errors import Busy, ValidationFailed
from ticketing.events.models import Event
from ticketing.extensions import db

blp = Blueprint(
    "door_sync_api",
    __name__,
    url_prefix="/api/v1",
    description="The door without network: door list (full or changes) and offline scans.",
)

SECURITY = [{"bearerAuth": []}]
GZIP_LEVEL = 5  # about as small as 9 for this JSON, at a third of the time
GZIP_FROM = 1024  # bytes: smaller answers go as they are


def _visible_event(event_id: int) -> Event:
    return visible_or_404(current_principal(), Event, event_id, gettext("There is no such event."))


def _json_response(body: dict) -> Response:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    response = Response(data, mimetype="application/json")
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = "no-store"
    if len(data) >= GZIP_FROM and request.accept_encodings["gzip"]:
        response.set_data(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
    return response


@blp.route("/events/<int:event_id>/door-list", methods=["GET"])
@require_role(*DOOR_ROLES)
@blp.arguments(DoorListQuerySchema(), location="query")
@blp.response(200, DoorListSchema)
@blp.doc(security=SECURITY)
def get_door_list(args, event_id):
    """The event's door list for offline scanning: every ticket as a keyed hash.

    `code_hash` is the lowercase hex HMAC-SHA256 of the ticket code (upper
    case, no spaces or dashes) keyed with the UTF-8 bytes of `salt`; no code
    is ever sent. With `since=<cursor>` only the tickets changed after that
    list come (`full: false`); keep the answer's `cursor` for the next call.
    A cursor this event's list did not give out is 422 (fetch the full list).
    Gzipped when the client accepts it.
    """
    event = _visible_event(event_id)
    since = None
    if args["since"] is not None:
        try:
            since = door_list.parse_cursor(args["since"], event.id, door_list.dialect())
        except door_list.BadCursor:
            raise ValidationFailed(
                gettext("This cursor is not one this door list gave out: ask for the full list."),
                field="since",
            ) from None
    if not door_list.has_salt(event.id):
        # The first list of the event makes its salt: a write (SQLite: begin IMMEDIATE).
        db.session.rollback()
        writes_from_now()
        door_list.salt_for(event.id)
        db.session.commit()
    body = door_list.door_list(event, since)
    db.session.commit()
    return _json_response(body)


@blp.route("/checkins/batch", methods=["POST"])
@require_role(*DOOR_ROLES)
@blp.arguments(BatchSchema())
@blp.response(200, BatchAnswerSchema)
@blp.doc(security=SECURITY)
def checkin_batch(body):
    """Scans made offline, sent when the network returns (at most 1,000).

    Applied in `scanned_at` order, each as an online scan would be, checked
    in at `scanned_at`. A repeated nonce (same device and event) gets its
    first answer and changes nothing. A ticket let in by two devices keeps
    the earliest scan; the other answer says `conflict: true`. With
    `collect_minor` (exactly what an open reservation owes) the cash is
    recorded and the ticket let in. Answers come in the order sent.
    """
    event = _visible_event(body["event_id"])
    principal = current_principal()
    scans = [
        offline.OfflineScan(
            code=printable(scan["code"], 200),
            nonce=scan["nonce"],
            scanned_at=scan["scanned_at"].astimezone(UTC),
            gate=printable(scan["gate"], 100),
            device=printable(scan["device"], 200) or scanning_device({}),
            collect_minor=scan["collect_minor"],
        )
        for scan in body["scans"]
    ]
    for _ in range(3):
        try:
            results = offline.apply_batch(principal, event, scans)
        except services.NonceTaken:
            db.session.rollback()  # another request holds a nonce: theirs is answered now
            continue
        db.session.commit()
        return {"results": results}
    raise Busy(gettext("These scans are being applied right now; send them again."))
