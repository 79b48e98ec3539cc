"""Undoing a check-in (organizers): the row stays, marked undone, and is logged."""

import logging

from flask_babel import gettext

from ticketing.accounts.access import visible
from ticketing.accounts.auth import Principal
from ticketing.checkin.models import CheckIn
from ticketing.database import utcnow
from ticketing.errors import Conflict
from ticketing.events.models import Event
from ticketing.extensions import db

log = logging.getLogger(__name__)


class AlreadyUndone(Conflict):
    code = "already_undone"


def checkin_for(principal: Principal, checkin_id: int) -> CheckIn | None:
    """A check-in the caller may see (its organization, its event if bound)."""
    return visible(principal, CheckIn, checkin_id, _event_of)


def _event_of(checkin: CheckIn) -> Event | None:
    return db.session.get(Event, checkin.event_id)


def undo(checkin: CheckIn, principal: Principal) -> CheckIn:
    """Let the ticket in again later; the row stays, marked undone (logged)."""
    if checkin.undone_at is not None:
        raise AlreadyUndone(gettext("This check-in was already undone."))
    checkin.undone_at = utcnow()
    checkin.undone_by_id = principal.user_id
    db.session.flush()
    log.info(
        "check-in %s of ticket %s undone by user %s (token %s)",
        checkin.id,
        checkin.ticket_id,
        principal.user_id,
        principal.token_id,
    )
    return checkin
