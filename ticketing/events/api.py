"""The events API (/api/v1/events): organizer or owner tokens write, published
events are public to read, an organization never sees another's events (404).
Door tokens may read their organization's events but never write (403)."""

from functools import wraps

from flask import abort
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Blueprint

from ticketing.accounts.access import visible
from ticketing.accounts.auth import current_principal, require_role
from ticketing.accounts.models import MONEY_ROLES
from ticketing.accounts.services import get_row
from ticketing.events import services
from ticketing.events.models import Event, TicketType
from ticketing.events.schemas import (
    EventCreateSchema,
    EventSchema,
    EventUpdateSchema,
    TicketTypeCreateSchema,
    TicketTypeSchema,
    TicketTypeUpdateSchema,
)
from ticketing.extensions import db
from ticketing.schemas import ApiErrorSchema as ErrorSchema

blp = Blueprint(
    "events_api",
    __name__,
    url_prefix="/api/v1/events",
    description="Events and their ticket types (tiers).",
)

BEARER = [{"bearerAuth": []}]
OPTIONAL_BEARER = [{}, {"bearerAuth": []}]


def errors(*statuses: int):
    """Document the error answers an operation can give (one shape for all)."""

    def decorator(view):
        for status in statuses:
            view = blp.alt_response(status, schema=ErrorSchema, description=ERROR_TEXT[status])(
                view
            )
        return view

    return decorator


ERROR_TEXT = {
    400: "The body is not valid JSON.",
    401: "No valid token.",
    403: "The token's role may not do this (door tokens only read).",
    404: "No such event, or not visible to this caller.",
    409: "The change conflicts with existing orders.",
    422: "Invalid fields; see `errors`.",
}


def event_access(write: bool):
    """Load the path's event and check the caller may see (or change) it.

    Runs before the body is parsed, so 401/403/404 come before 422.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, event_id: int, **kwargs):
            principal = current_principal()
            if write and principal is None:
                abort(401, gettext("A valid API token is required."))
            if write and principal.role not in MONEY_ROLES:
                abort(403, gettext("Your role may not change events."))
            event = visible(principal, Event, event_id)
            if event is None and not write:
                event = get_row(Event, event_id)
                event = event if event is not None and event.published else None
            if event is None:
                abort(404, gettext("No such event."))
            return view(*args, event=event, **kwargs)

        return wrapped

    return decorator


def with_available(tiers: list[TicketType]) -> list[TicketType]:
    """Attach `available` (the tier's seats left) for the response."""
    for tier in tiers:
        tier.available = tier.seats_left
    return tiers


@blp.route("")
class Events(MethodView):
    @require_role(*MONEY_ROLES)
    @blp.doc(security=BEARER)
    @blp.arguments(EventCreateSchema())
    @blp.response(201, EventSchema)
    @errors(400, 401, 403, 422)
    def post(self, data):
        """Create an event (owner or organizer token of the whole organization)."""
        principal = current_principal()
        if principal.event_id is not None:
            abort(403, gettext("A token bound to one event cannot create events."))
        event = services.create_managed_event(principal.organization_id, **data)
        db.session.commit()
        return event


@blp.route("/<int:event_id>")
class EventResource(MethodView):
    @event_access(write=False)
    @blp.doc(security=OPTIONAL_BEARER)
    @blp.response(200, EventSchema)
    @errors(404)
    def get(self, event):
        """An event: published ones are public, drafts only to their organization."""
        return event

    @event_access(write=True)
    @blp.doc(security=BEARER)
    @blp.arguments(EventUpdateSchema())
    @blp.response(200, EventSchema)
    @errors(400, 401, 403, 404, 409, 422)
    def patch(self, data, event):
        """Change an event; the currency is fixed once an order exists (409)."""
        services.update_event(event, **data)
        db.session.commit()
        return event


@blp.route("/<int:event_id>/ticket-types")
class TicketTypes(MethodView):
    @event_access(write=False)
    @blp.doc(security=OPTIONAL_BEARER)
    @blp.response(200, TicketTypeSchema(many=True))
    @errors(404)
    def get(self, event):
        """The event's tiers, each with how many seats are still available."""
        return with_available(list(event.ticket_types))

    @event_access(write=True)
    @blp.doc(security=BEARER)
    @blp.arguments(TicketTypeCreateSchema())
    @blp.response(201, TicketTypeSchema)
    @errors(400, 401, 403, 404, 422)
    def post(self, data, event):
        """Add a tier to the event."""
        tier = services.create_ticket_type(event, **data)
        db.session.commit()
        return with_available([tier])[0]


@blp.route("/<int:event_id>/ticket-types/<int:ticket_type_id>")
class TicketTypeResource(MethodView):
    @event_access(write=False)
    @blp.doc(security=OPTIONAL_BEARER)
    @blp.response(200, TicketTypeSchema)
    @errors(404)
    def get(self, event, ticket_type_id):
        """One tier, with `available`."""
        return with_available([event_tier(event, ticket_type_id)])[0]

    @event_access(write=True)
    @blp.doc(security=BEARER)
    @blp.arguments(TicketTypeUpdateSchema())
    @blp.response(200, TicketTypeSchema)
    @errors(400, 401, 403, 404, 422)
    def patch(self, data, event, ticket_type_id):
        """Change a tier. Existing orders keep their prices; capacity never
        drops below the seats sold or held (422 on `capacity`)."""
        tier = services.update_ticket_type(event_tier(event, ticket_type_id), **data)
        db.session.commit()
        return with_available([tier])[0]


def event_tier(event: Event, ticket_type_id: int) -> TicketType:
    tier = get_row(TicketType, ticket_type_id)
    if tier is None or tier.event_id != event.id:
        abort(404, gettext("No such ticket type."))
    return tier
