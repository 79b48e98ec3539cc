"""Who may see an event's money: owners and organizers of its organization.

Another organization's event or order is a 404 (its existence is not
revealed); a door member is a 403 (they may know the event, not its money).
"""

from flask import abort
from flask_babel import gettext

from ticketing.accounts.access import visible_or_404
from ticketing.accounts.auth import Principal, current_principal, page_role_required
from ticketing.accounts.models import MONEY_ROLES
from ticketing.events.models import Event
from ticketing.orders.models import Order


def money_principal() -> Principal:
    """The caller if they may see money; 401 without credentials, 403 for door staff."""
    principal = current_principal()
    if principal is None:
        abort(401, gettext("A valid API token or login is required."))
    if principal.role not in MONEY_ROLES:
        abort(403, gettext("Your role may not see money."))
    return principal


def event_for(principal: Principal, event_id: int) -> Event:
    return visible_or_404(principal, Event, event_id, gettext("There is no such event."))


def order_for(principal: Principal, order_id: int) -> Order:
    return visible_or_404(principal, Order, order_id, gettext("There is no such order."), _event_of)


def _event_of(order: Order) -> Event:
    return order.event


# Pages: anonymous people go to the login form, door staff get 403.
organizer_page = page_role_required(*MONEY_ROLES)
