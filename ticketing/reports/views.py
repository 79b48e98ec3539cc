"""The organizer's dashboard of an event: totals, tiers, sales chart, orders, cash, CSV.

Every page here is for owners and organizers of the event's organization:
anonymous visitors go to the login page, door staff get 403, and another
organization's event is a 404. Each POST commits once, then redirects.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from wtforms.fields.choices import SelectChoice

from ticketing.errors import DomainError
from ticketing.extensions import db
from ticketing.money import exponent
from ticketing.orders import door
from ticketing.orders.reservations import totals_with_reservations as event_totals
from ticketing.payments import cash_boxes, manual
from ticketing.payments.models import ManualPayment
from ticketing.reports import queries
from ticketing.reports.access import event_for, money_principal, organizer_page
from ticketing.reports.chart import sales_chart
from ticketing.reports.exports import EXPORTS, csv_response
from ticketing.reports.forms import (
    CloseCashBoxForm,
    DonationForm,
    DoorSaleForm,
    ReservationPaymentForm,
    VoidForm,
    amount_minor,
)
from ticketing.templating import word

bp = Blueprint("reports", __name__)


def door_sale_form(event, formdata=None) -> DoorSaleForm:
    form = DoorSaleForm(formdata=formdata, prefix="door")
    form.ticket_type_id.choices = [SelectChoice(tier.id, tier.name) for tier in event.ticket_types]
    return form


def render_dashboard(
    event,
    donation_form=None,
    door_form=None,
    reservation_form=None,
    close_form=None,
    close_box=None,
    status: int = 200,
):
    search = request.args.get("q", "")[:200]
    orders = queries.search_orders(event, search)
    page = render_template(
        "reports/dashboard.html",
        event=event,
        exponent=exponent(event.currency),
        totals=event_totals(event),
        tiers=queries.tier_rows(event),
        chart=sales_chart(queries.raised_by_utc_hour(event), event.timezone),
        search=search,
        orders=orders,
        ticket_counts=queries.order_ticket_counts(orders),
        manual_payments=manual.manual_payments(event),
        donation_form=donation_form or DonationForm(formdata=None, prefix="donation"),
        door_form=door_form or door_sale_form(event, formdata=None),
        void_form=VoidForm(formdata=None, prefix="void"),
        reservations=queries.open_reservations(event),
        reservation_form=reservation_form
        or ReservationPaymentForm(formdata=None, prefix="reservation"),
        cash_boxes=cash_boxes.boxes(event),
        close_form=close_form or CloseCashBoxForm(formdata=None, prefix="close"),
        close_box=close_box,
    )
    return page, status


@bp.get("/manage/events/<int:event_id>/dashboard")
@organizer_page
def dashboard(event_id: int):
    return render_dashboard(event_for(money_principal(), event_id))


@bp.post("/manage/events/<int:event_id>/manual-donations")
@organizer_page
def record_donation(event_id: int):
    principal = money_principal()
    event = event_for(principal, event_id)
    form = DonationForm(prefix="donation")
    if form.validate_on_submit():
        amount = amount_minor(form.amount, event.currency, required=True)
        if amount is not None:
            manual.record_donation(
                event,
                amount_minor=amount,
                method=form.method.data,
                note=form.note.data or "",
                recorded_by_id=principal.user_id,
            )
            db.session.commit()
            flash(
                gettext("Recorded a %(method)s donation.", method=word(form.method.data)),
                "success",
            )
            return redirect(url_for(".dashboard", event_id=event.id, _anchor="manual"))
    return render_dashboard(event, donation_form=form, status=422)


@bp.post("/manage/events/<int:event_id>/door-sales")
@organizer_page
def record_door_sale(event_id: int):
    principal = money_principal()
    event = event_for(principal, event_id)
    form = door_sale_form(event, formdata=request.form)
    if form.validate_on_submit():
        amount = amount_minor(form.amount, event.currency, required=False)
        if not form.amount.errors:
            try:
                payment = door.record_door_sale(
                    event,
                    ticket_type_id=form.ticket_type_id.data,
                    quantity=form.quantity.data,
                    amount_minor=amount,
                    method=form.method.data,
                    note=form.note.data or "",
                    buyer_name=form.buyer_name.data or "",
                    buyer_email=(form.buyer_email.data or "").strip(),
                    recorded_by_id=principal.user_id,
                )
            except DomainError as exc:
                db.session.rollback()
                field = getattr(form, exc.field or "", None) or form.quantity
                field.errors = [*field.errors, exc.message]
            else:
                db.session.commit()
                door.announce_door_sale(payment)
                flash(
                    ngettext(
                        "Sold %(num)d ticket at the door.",
                        "Sold %(num)d tickets at the door.",
                        form.quantity.data,
                    ),
                    "success",
                )
                return redirect(url_for(".order_detail", order_id=payment.order_id))
    return render_dashboard(event, door_form=form, status=422)


@bp.post("/manage/manual-payments/<int:payment_id>/void")
@organizer_page
def void_manual_payment(payment_id: int):
    principal = money_principal()
    payment = db.session.get(ManualPayment, payment_id)
    if payment is None:
        abort(404, gettext("There is no such payment."))
    event = event_for(principal, payment.event_id)
    form = VoidForm(prefix="void")
    back = url_for(".dashboard", event_id=event.id, _anchor="manual")
    if not form.validate_on_submit():
        flash(gettext("Say why the record is voided."), "error")
        return redirect(back)
    try:
        door.void(payment, reason=form.reason.data, voided_by_id=principal.user_id)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(gettext("Voided: the totals no longer count it."), "success")
    return redirect(back)


@bp.get("/manage/events/<int:event_id>/export/<what>.csv")
@organizer_page
def export(event_id: int, what: str):
    if what not in EXPORTS:
        abort(404, gettext("No such export."))
    return csv_response(event_for(money_principal(), event_id), what)


from ticketing.reports import cash_views, order_views  # noqa: E402, F401  (same blueprint)
