"""Door pages: the scanner (logged in, or through a device link) and the
organizer's check-in list with undo and CSV export.

A device link carries a door token bound to one event in its path; the page
uses it as the Bearer token of its API calls. Its answers say
`Referrer-Policy: no-referrer` and `Cache-Control: no-store` so the token does
not leak to other sites or stay in caches.
"""

from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext

from ticketing.accounts import services as accounts
from ticketing.accounts.access import visible_or_404
from ticketing.accounts.auth import current_principal, page_role_required, principal_from_token
from ticketing.accounts.models import DOOR_ROLES, MONEY_ROLES, User
from ticketing.checkin import queries, undoing
from ticketing.csv_export import csv_download, safe_text
from ticketing.database import database_id, utcnow
from ticketing.events.models import Event
from ticketing.extensions import db
from ticketing.money import exponent
from ticketing.tickets.qr import secret_qr_data_uri

bp = Blueprint("checkin", __name__)

LIST_LIMIT = 300
SESSION_EVENT_KEY = "door_event_id"


def _private(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _scanner_page(event, *, token: str | None):
    page = render_template(
        "checkin/scanner.html",
        event=event,
        device_token=token,
        can_pick=token is None and len(queries.door_events(current_principal())) > 1,
        exponent=exponent(event.currency),
        # Sold for cash on the page: tiers with a price (a free seat needs no till).
        sale_tiers=[tier for tier in event.ticket_types if tier.price_minor > 0],
    )
    return _private(make_response(page))


@bp.get("/door")
@page_role_required(*DOOR_ROLES)
def scanner():
    """The scanner for logged-in staff; the chosen event is remembered in the session."""
    principal = current_principal()
    wanted = request.args.get("event", type=database_id) or session.get(SESSION_EVENT_KEY)
    event = queries.event_for(principal, wanted) if wanted else None
    events = queries.door_events(principal)
    if event is None and len(events) == 1:
        event = events[0]
    if event is None or request.args.get("pick"):
        page = render_template(
            "checkin/pick_event.html",
            events=events,
            is_tonight=lambda e: queries.is_tonight(e, utcnow()),
        )
        return _private(make_response(page))
    session[SESSION_EVENT_KEY] = event.id
    return _scanner_page(event, token=None)


@bp.get("/door/device/<token>")
def device_link(token: str):
    """The scanner for a phone without a login: the link holds an event-bound door token."""
    principal = principal_from_token(token)
    if principal is None or principal.role != "door" or principal.event_id is None:
        abort(
            404, gettext("This device link is not valid: it was revoked, or it is not a door link.")
        )
    event = queries.event_for(principal, principal.event_id)
    if event is None:
        abort(404, gettext("This device link is not valid."))
    return _scanner_page(event, token=token)


def _managed_event(event_id: int):
    return visible_or_404(current_principal(), Event, event_id, gettext("There is no such event."))


@bp.get("/manage/events/<int:event_id>/checkins")
@page_role_required(*MONEY_ROLES)
def checkin_list(event_id: int):
    """Who is in, since when, through which gate, let in by whom."""
    return _checkin_list_page(_managed_event(event_id))


def _checkin_list_page(event, new_link: str | None = None) -> str:
    rows = list(queries.checkin_rows(event, limit=LIST_LIMIT))
    return render_template(
        "checkin/checkin_list.html",
        event=event,
        rows=rows,
        stats=queries.stats(event),
        limit=LIST_LIMIT,
        scanned_by=queries.scanned_by,
        conflicts=queries.conflict_rows(event, limit=LIST_LIMIT),
        admitted_by=queries.admitted_by,
        new_link=new_link,
        new_link_qr=secret_qr_data_uri(new_link) if new_link else None,
    )


@bp.post("/manage/events/<int:event_id>/checkins/<int:checkin_id>/undo")
@page_role_required(*MONEY_ROLES)
def undo(event_id: int, checkin_id: int):
    """Undo a check-in so the ticket can enter again (kept in the record, logged)."""
    event = _managed_event(event_id)
    checkin = undoing.checkin_for(current_principal(), checkin_id)
    if checkin is None or checkin.event_id != event.id:
        abort(404, gettext("There is no such check-in."))
    undoing.undo(checkin, current_principal())
    db.session.commit()
    flash(gettext("Check-in undone: the ticket can enter again."), "info")
    return redirect(url_for("checkin.checkin_list", event_id=event.id))


@bp.post("/manage/events/<int:event_id>/device-links")
@page_role_required(*MONEY_ROLES)
def new_device_link(event_id: int):
    """A door token bound to this event, as a link to open on a door phone (shown once).

    The page is the POST's own answer, never stored: the link must not travel
    in the session cookie (signed, not encrypted) or stay in a cache.
    """
    event = _managed_event(event_id)
    principal = current_principal()
    membership = accounts.membership_of(
        db.session.get(User, principal.user_id), principal.organization_id
    )
    _, plain = accounts.issue_token(
        membership, "door", event_id=event.id, name=f"Door device link ({event.name})"[:200]
    )
    db.session.commit()
    link = url_for("checkin.device_link", token=plain, _external=True)
    return _private(make_response(_checkin_list_page(event, new_link=link), 201))


CSV_HEADER = [
    "checked_in_at",
    "ticket_code",
    "tier",
    "holder_name",
    "order_id",
    "buyer_email",
    "gate",
    "device",
    "scanned_by",
    "undone_at",
    "undone_by",
]


@bp.get("/manage/events/<int:event_id>/checkins.csv")
@page_role_required(*MONEY_ROLES)
def checkin_csv(event_id: int):
    """Every check-in of the event (undone ones too), streamed row by row."""
    event = _managed_event(event_id)
    zone = ZoneInfo(event.timezone)

    def local(value):
        return value.astimezone(zone).isoformat(timespec="seconds") if value else ""

    def rows():
        yield CSV_HEADER
        for row in queries.checkin_rows(event):
            yield [
                safe_text(value)
                for value in (
                    local(row.checked_in_at),
                    row.code,
                    row.tier_name,
                    row.holder_name,
                    row.order_id,
                    row.buyer_email,
                    row.gate,
                    row.device,
                    queries.scanned_by(row),
                    local(row.undone_at),
                    row.undone_by_name or "",
                )
            ]

    return csv_download(rows(), f"checkins-event-{event.id}.csv")
