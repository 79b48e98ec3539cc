"""Public pages: the list of published events and each event's page with its buy form."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext

from ticketing.events import services
from ticketing.events.totals import event_totals
from ticketing.i18n import link_languages_to, use_event_locale
from ticketing.money import exponent
from ticketing.orders.availability import seats_held
from ticketing.orders.forms import error_links

bp = Blueprint("events", __name__)


@bp.get("/")
def index():
    return render_template("events/index.html", events=services.published_events())


def published_event_or_404(slug: str):
    event = services.event_by_slug(slug)
    if event is None or not event.published:
        abort(404, gettext("There is no such event, or it is not on sale."))
    return event


def render_event_page(event, form=None, status: int = 200):
    """The event page; after a failed purchase it shows the errors (a summary on
    top, each next to its field) and what was typed; after "Update total", the total."""
    use_event_locale(event)
    if request.method != "GET":  # the buy form's answer: switch on the event page
        link_languages_to(url_for("events.event_page", slug=event.slug))
    tiers = event.ticket_types
    page = render_template(
        "events/event.html",
        event=event,
        tiers=tiers,
        left={tier.id: tier.seats_left for tier in tiers},
        held=seats_held([tier.id for tier in tiers]),
        totals=event_totals(event),
        values=form.values if form else {},
        errors=form.errors if form else {},
        error_links=error_links(form.errors, [t.id for t in tiers]) if form else [],
        total_minor=form.total_minor if form else 0,
        exponent=exponent(event.currency),
        methods=list(event.payment_methods or ["card"]),
        chosen_method=form.payment_method if form else (event.payment_methods or ["card"])[0],
    )
    return page, status


@bp.get("/events/<slug>")
def event_page(slug: str):
    return render_event_page(published_event_or_404(slug))
