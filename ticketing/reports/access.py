"""Who may see an event's money: owners and organizers of its organization.

Another organization's event or order is a 404 (its existence is not
revealed); a door member is a 403 (they may know the event, not its money).
"""

from flask import abort

from ticketing.accounts.auth import Principal, current_principal, page_role_required
from ticketing.accounts.models import MONEY_ROLES
from ticketing.events.models import Event
from ticketing.extensions import db
from ticketing.orders.models import Order


def money_principal() -> Principal:
    """The caller if they may see money; 401 without credentials, 403 for door staff."""
    principal = current_principal()
    if principal is None:
        abort(401, "A valid API token or login is required.")
    if principal.role not in MONEY_ROLES:
        abort(403, "Your role may not see money.")
    return principal


def event_for(principal: Principal, event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or not principal.can_see_event(event):
        abort(404, "There is no such event.")
    return event


def order_for(principal: Principal, order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or not principal.can_see_event(order.event):
        abort(404, "There is no such order.")
    return order


# Pages: anonymous people go to the login form, door staff get 403.
organizer_page = page_role_required(*MONEY_ROLES)
