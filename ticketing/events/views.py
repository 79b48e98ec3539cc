"""Public pages: the list of published events and each event's page."""

from flask import Blueprint, abort, render_template

from ticketing.events import services
from ticketing.orders.availability import seats_left

bp = Blueprint("events", __name__)


@bp.get("/")
def index():
    return render_template("events/index.html", events=services.published_events())


@bp.get("/events/<slug>")
def event_page(slug: str):
    event = services.event_by_slug(slug)
    if event is None or not event.published:
        abort(404, "There is no such event, or it is not published yet.")
    tiers = event.ticket_types
    return render_template("events/event.html", event=event, tiers=tiers, left=seats_left(tiers))
