"""Read-only questions the door and the organizer ask: who is here, who is in.

Each is one query (joins, no N+1), so the door's search stays fast while the
queue waits and the organizer's list and CSV scale with the event.
"""

from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import false, or_, select
from sqlalchemy.orm import aliased

from ticketing.accounts.access import visible
from ticketing.accounts.auth import Principal
from ticketing.accounts.models import ApiToken, User
from ticketing.checkin.models import CheckIn, CheckinConflict
from ticketing.database import utcnow
from ticketing.events import counters
from ticketing.events.models import Event, TicketType
from ticketing.extensions import db
from ticketing.orders.models import Order
from ticketing.search_text import like_pattern
from ticketing.tickets.codes import normalize_code
from ticketing.tickets.models import Ticket

SEARCH_LIMIT = 50


def event_for(principal: Principal, event_id: int) -> Event | None:
    """The event if the caller may see it (same organization, bound event)."""
    return visible(principal, Event, event_id)


# An event starting this close to now (either way) is tonight's.
TONIGHT = timedelta(hours=12)


def is_tonight(event: Event, now: datetime) -> bool:
    return abs(event.starts_at - now) <= TONIGHT


def door_events(principal: Principal, now: datetime | None = None) -> list[Event]:
    """The events a door user may pick: tonight's first (the closest start),
    then the coming ones soonest first, then past ones, latest first."""
    now = now or utcnow()
    query = select(Event).where(Event.organization_id == principal.organization_id)
    if principal.event_id is not None:
        query = query.where(Event.id == principal.event_id)
    events = db.session.execute(query).scalars()

    def rank(event: Event):
        starts = event.starts_at
        if is_tonight(event, now):
            return (0, abs((starts - now).total_seconds()))
        if starts > now:
            return (1, (starts - now).total_seconds())
        return (2, (now - starts).total_seconds())

    return sorted(events, key=rank)


def search_attendees(event: Event, q: str, *, with_email: bool) -> list[dict]:
    """Tickets of the event matching a name, email, order number or code."""
    standing = aliased(CheckIn)
    query = (
        select(
            Ticket.code,
            Ticket.status,
            Ticket.holder_name,
            Ticket.ticket_type_id,
            Ticket.order_id,
            TicketType.name.label("tier_name"),
            Order.status.label("order_status"),
            Order.buyer_name,
            Order.buyer_email,
            standing.checked_in_at,
            standing.gate,
        )
        .join(Order, Order.id == Ticket.order_id)
        .join(TicketType, TicketType.id == Ticket.ticket_type_id)
        .outerjoin(standing, (standing.ticket_id == Ticket.id) & standing.undone_at.is_(None))
        .where(Ticket.event_id == event.id)
    )
    q = (q or "").strip()
    if q:
        # Names and emails are matched on their folded keys (search_text):
        # "петрова", "ПЕТРОВА" and "Petrova" all find "Петрова", on both databases.
        conditions = []
        pattern = like_pattern(q)
        if pattern is not None:
            conditions += [
                Ticket.search_key.like(pattern, escape="\\"),
                Order.search_key.like(pattern, escape="\\"),
            ]
        digits = q.lstrip("#")
        if digits.isdigit() and len(digits) < 12:
            conditions.append(Order.id == int(digits))
        code = normalize_code(q)
        if len(code) >= 6:
            conditions.append(Ticket.code.startswith(code, autoescape=True))
        query = query.where(or_(false(), *conditions))
    # Folded-name order: Cyrillic and Latin names sort together, along the
    # (event_id, search_key) index, so the first matches end the walk.
    rows = db.session.execute(
        query.order_by(Ticket.search_key, Ticket.id).limit(SEARCH_LIMIT)
    ).all()
    return [_attendee(row, with_email) for row in rows]


def _attendee(row, with_email: bool) -> dict:
    item = {
        "code": row.code,
        "ticket_type_id": row.ticket_type_id,
        "tier": row.tier_name,
        "holder_name": row.holder_name,
        "buyer_name": row.buyer_name,
        "order_id": row.order_id,
        "ticket_status": row.status,
        "order_status": row.order_status,
        "checked_in": row.checked_in_at is not None,
        "checked_in_at": row.checked_in_at.isoformat() if row.checked_in_at else None,
        "gate": row.gate,
    }
    if with_email:
        item["buyer_email"] = row.buyer_email
    return item


def stats(event: Event) -> dict:
    """Checked in / sold, from the same counters as the event's totals (fast at any size)."""
    found = counters.values(event.id, [counters.TICKETS_SOLD, counters.CHECKED_IN])
    return {
        "event_id": event.id,
        "checked_in": found[counters.CHECKED_IN],
        "sold": found[counters.TICKETS_SOLD],
    }


def checkin_rows(event: Event, limit: int | None = None):
    """Every check-in of the event, newest first, with ticket, tier and staff names."""
    staff = aliased(User)
    undoer = aliased(User)
    query = (
        select(
            CheckIn.id,
            CheckIn.checked_in_at,
            CheckIn.gate,
            CheckIn.device,
            CheckIn.undone_at,
            Ticket.code,
            Ticket.holder_name,
            Ticket.order_id,
            TicketType.name.label("tier_name"),
            Order.buyer_email,
            staff.name.label("staff_name"),
            ApiToken.name.label("token_name"),
            ApiToken.prefix.label("token_prefix"),
            undoer.name.label("undone_by_name"),
        )
        .join(Ticket, Ticket.id == CheckIn.ticket_id)
        .join(Order, Order.id == Ticket.order_id)
        .join(TicketType, TicketType.id == Ticket.ticket_type_id)
        .outerjoin(staff, staff.id == CheckIn.user_id)
        .outerjoin(ApiToken, ApiToken.id == CheckIn.api_token_id)
        .outerjoin(undoer, undoer.id == CheckIn.undone_by_id)
        .where(CheckIn.event_id == event.id)
        .order_by(CheckIn.checked_in_at.desc(), CheckIn.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return db.session.execute(query.execution_options(yield_per=500))


def scanned_by(row) -> str:
    """Who let the ticket in: the staff member, and the device token if one was used."""
    name = row.staff_name or "?"
    if row.token_prefix:
        label = row.token_name or row.token_prefix
        return gettext("%(name)s (device %(label)s)", name=name, label=label)
    return name


def conflict_rows(event: Event, limit: int | None = None):
    """Tickets let in twice by offline devices, newest first: both admissions and who made them."""
    kept_user, other_user = aliased(User), aliased(User)
    kept_token, other_token = aliased(ApiToken), aliased(ApiToken)
    query = (
        select(
            CheckinConflict.id,
            CheckinConflict.kept_at,
            CheckinConflict.kept_gate,
            CheckinConflict.kept_device,
            CheckinConflict.other_at,
            CheckinConflict.other_gate,
            CheckinConflict.other_device,
            Ticket.code,
            Ticket.holder_name,
            Ticket.order_id,
            kept_user.name.label("kept_user_name"),
            kept_token.name.label("kept_token_name"),
            kept_token.prefix.label("kept_token_prefix"),
            other_user.name.label("other_user_name"),
            other_token.name.label("other_token_name"),
            other_token.prefix.label("other_token_prefix"),
        )
        .join(Ticket, Ticket.id == CheckinConflict.ticket_id)
        .outerjoin(kept_user, kept_user.id == CheckinConflict.kept_user_id)
        .outerjoin(kept_token, kept_token.id == CheckinConflict.kept_token_id)
        .outerjoin(other_user, other_user.id == CheckinConflict.other_user_id)
        .outerjoin(other_token, other_token.id == CheckinConflict.other_token_id)
        .where(CheckinConflict.event_id == event.id)
        .order_by(CheckinConflict.created_at.desc(), CheckinConflict.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return db.session.execute(query).all()


def admitted_by(row, side: str) -> str:
    """Who made one side ("kept" or "other") of a conflict: staff member and device."""
    name = getattr(row, f"{side}_user_name") or "?"
    prefix = getattr(row, f"{side}_token_prefix")
    if prefix:
        label = getattr(row, f"{side}_token_name") or prefix
        return gettext("%(name)s (device %(label)s)", name=name, label=label)
    return name
