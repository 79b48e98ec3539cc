"""Organizer pages: the organization's events, and forms to create and edit
events and their tiers. Owners and organizers only; other organizations'
events are 404."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext

from ticketing.accounts.access import visible_or_404
from ticketing.accounts.auth import current_principal, page_role_required
from ticketing.accounts.models import MONEY_ROLES
from ticketing.accounts.services import get_row
from ticketing.errors import DomainError
from ticketing.events import services
from ticketing.events.forms import FORM_FIELD, EventForm, TierForm
from ticketing.events.models import Event, TicketType
from ticketing.extensions import db

bp = Blueprint("manage", __name__, url_prefix="/manage")


def org_event(event_id: int) -> Event:
    return visible_or_404(current_principal(), Event, event_id, gettext("No such event."))


def org_tier(event: Event, tier_id: int) -> TicketType:
    tier = get_row(TicketType, tier_id)
    if tier is None or tier.event_id != event.id:
        abort(404, gettext("No such ticket type."))
    return tier


def loaded(form, **context) -> dict | None:
    """A submitted form's fields, checked by the API's schema; None shows its errors."""
    if not form.is_submitted():
        return None
    data = form.load(**context)
    for message in form.form_errors:
        flash(message, "error")
    return data


def show_error(form, exc: DomainError) -> None:
    """Put a service's refusal next to its field, or on top of the form."""
    field = getattr(form, FORM_FIELD.get(exc.field, exc.field or ""), None)
    if field is None:
        flash(exc.message, "error")
    else:
        field.errors = [*field.errors, exc.message]


@bp.get("/events")
@page_role_required(*MONEY_ROLES)
def events():
    principal = current_principal()
    rows = services.events_of(principal.organization_id)
    if principal.event_id is not None:
        rows = [e for e in rows if e.id == principal.event_id]
    counts = services.claimed_and_capacity([e.id for e in rows])
    return render_template("manage/events.html", events=rows, counts=counts)


@bp.route("/events/new", methods=["GET", "POST"])
@page_role_required(*MONEY_ROLES)
def new_event():
    principal = current_principal()
    if principal.event_id is not None:
        abort(403, gettext("This login may only manage its own event."))
    form = EventForm()
    if (fields := loaded(form)) is not None:
        try:
            event = services.create_managed_event(principal.organization_id, **fields)
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(
                gettext("“%(name)s” is created. Now add its ticket types.", name=event.name), "info"
            )
            return redirect(url_for("manage.edit_event", event_id=event.id))
    status = 422 if form.errors else 200
    return render_template("manage/event_form.html", form=form, event=None), status


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@page_role_required(*MONEY_ROLES)
def edit_event(event_id: int):
    event = org_event(event_id)
    form = EventForm()
    if (fields := loaded(form, current=event)) is not None:
        try:
            services.update_event(event, **fields)
        except DomainError as exc:
            db.session.rollback()
            event = org_event(event_id)
            show_error(form, exc)
        else:
            db.session.commit()
            flash(gettext("Saved."), "info")
            return redirect(url_for("manage.edit_event", event_id=event.id))
    elif not form.is_submitted():
        form.fill_from(event)
    status = 422 if form.errors else 200
    tiers = event.ticket_types
    taken = {tier.id: tier.seats_claimed for tier in tiers}
    return render_template(
        "manage/event_form.html",
        form=form,
        event=event,
        tiers=tiers,
        taken=taken,
        locked_currency=services.has_orders(event),
    ), status


@bp.route("/events/<int:event_id>/tiers/new", methods=["GET", "POST"])
@page_role_required(*MONEY_ROLES)
def new_tier(event_id: int):
    event = org_event(event_id)
    form = TierForm()
    if (fields := loaded(form, event=event)) is not None:
        try:
            services.create_ticket_type(event, **fields)
        except DomainError as exc:
            db.session.rollback()
            event = org_event(event_id)
            show_error(form, exc)
        else:
            db.session.commit()
            flash(gettext("Ticket type added."), "info")
            return redirect(url_for("manage.edit_event", event_id=event.id))
    status = 422 if form.errors else 200
    return render_template("manage/tier_form.html", form=form, event=event, tier=None), status


@bp.route("/events/<int:event_id>/tiers/<int:tier_id>/edit", methods=["GET", "POST"])
@page_role_required(*MONEY_ROLES)
def edit_tier(event_id: int, tier_id: int):
    event = org_event(event_id)
    tier = org_tier(event, tier_id)
    form = TierForm()
    if (fields := loaded(form, event=event, current=tier)) is not None:
        try:
            services.update_ticket_type(tier, **fields)
        except DomainError as exc:
            db.session.rollback()
            event = org_event(event_id)
            tier = org_tier(event, tier_id)
            show_error(form, exc)
        else:
            db.session.commit()
            flash(
                gettext("Ticket type saved. Existing orders keep the price they were made at."),
                "info",
            )
            return redirect(url_for("manage.edit_event", event_id=event.id))
    elif not form.is_submitted():
        form.fill_from(tier, event)
    status = 422 if form.errors else 200
    taken = tier.seats_claimed
    return render_template(
        "manage/tier_form.html", form=form, event=event, tier=tier, taken=taken
    ), status
