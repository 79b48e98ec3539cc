"""May this caller see this event, or a row that belongs to one? One answer.

The rule is `Principal.can_see_event`: the event is in the caller's
organization and, for a token bound to one event, is that event. A row the
caller may not see is "not found" (404), like a row that does not exist, so
another organization's events and orders are never revealed. Role checks
(who may see money, who may change things) stay with the views' decorators.

The door scan decides the same rule in its own single SQL statement
(ticketing/checkin/services.py) to keep its round trips.
"""

from collections.abc import Callable

from flask import abort

from ticketing.accounts.auth import Principal
from ticketing.accounts.services import get_row


def visible(principal: Principal | None, model, ident: int, event_of: Callable | None = None):
    """The row of `model` with id `ident` if the caller may see its event, else None.

    `event_of(row)` gives the row's event (anything with `id` and
    `organization_id`); without it the row is the event itself.
    """
    row = get_row(model, ident)
    if row is None or principal is None:
        return None
    event = row if event_of is None else event_of(row)
    return row if event is not None and principal.can_see_event(event) else None


def visible_or_404(
    principal: Principal | None, model, ident: int, message: str, event_of: Callable | None = None
):
    """As `visible`, answering 404 with `message` when the caller may not see it."""
    row = visible(principal, model, ident, event_of)
    if row is None:
        abort(404, message)
    return row
