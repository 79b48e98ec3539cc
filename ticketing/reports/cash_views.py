"""Dashboard: payments toward open reservations (by reference) and the door's cash boxes.

Both are organizer pages on the reports blueprint; each POST commits once and
redirects, or shows the dashboard again with the error next to the field.
"""

from flask import flash, redirect, request, url_for
from flask_babel import gettext

from ticketing.errors import DomainError
from ticketing.extensions import db
from ticketing.orders import reservations
from ticketing.payments import cash_boxes
from ticketing.reports import queries
from ticketing.reports.access import event_for, money_principal, organizer_page
from ticketing.reports.forms import CloseCashBoxForm, ReservationPaymentForm, amount_minor
from ticketing.reports.views import bp, render_dashboard
from ticketing.templating import money


@bp.post("/manage/events/<int:event_id>/reservation-payments")
@organizer_page
def record_reservation_payment(event_id: int):
    """A transfer (or cash) received toward a reservation, found by its reference."""
    principal = money_principal()
    event = event_for(principal, event_id)
    form = ReservationPaymentForm(prefix="reservation")
    if form.validate_on_submit():
        amount = amount_minor(form.amount, event.currency, required=True)
        order = queries.reservation_by_reference(event, form.reference.data)
        if order is None:
            form.reference.errors = [gettext("No reservation of this event has that reference.")]
        elif amount is not None:
            try:
                order, _payment = reservations.receive_payment(
                    order.id,
                    amount_minor=amount,
                    method=form.method.data,
                    reference=form.reference.data.strip(),
                    recorded_by_id=principal.user_id,
                )
            except DomainError as exc:
                db.session.rollback()
                form.amount.errors = [*form.amount.errors, exc.message]
            else:
                reference, status = order.payment_reference, order.status
                due = order.amount_due_minor
                db.session.commit()
                if status == "paid":
                    flash(gettext("Reservation %(ref)s is paid.", ref=reference), "success")
                else:
                    flash(
                        gettext(
                            "Recorded toward %(ref)s; still due: %(due)s.",
                            ref=reference,
                            due=money(due, event.currency),
                        ),
                        "success",
                    )
                return redirect(url_for(".dashboard", event_id=event.id, _anchor="reservations"))
    return render_dashboard(event, reservation_form=form, status=422)


@bp.post("/manage/events/<int:event_id>/cash-boxes/close")
@organizer_page
def close_cash_box(event_id: int):
    """Close a volunteer's or device's box with the cash counted (a new row each time)."""
    principal = money_principal()
    event = event_for(principal, event_id)
    form = CloseCashBoxForm(prefix="close")
    box = cash_boxes.find_box(event, request.form.get("close-box", ""))
    if form.validate_on_submit() and box is not None:
        counted = amount_minor(form.counted, event.currency, required=True, zero_allowed=True)
        if counted is not None:
            closing = cash_boxes.close(
                event,
                box,
                counted_minor=counted,
                closed_by_id=principal.user_id,
                note=(form.note.data or "").strip(),
            )
            difference = closing.difference_minor
            db.session.commit()
            flash(
                gettext(
                    "Cash box closed: counted %(counted)s, expected %(expected)s, "
                    "difference %(difference)s.",
                    counted=money(counted, event.currency),
                    expected=money(closing.expected_minor, event.currency),
                    difference=money(difference, event.currency),
                ),
                "success" if difference == 0 else "error",
            )
            return redirect(url_for(".dashboard", event_id=event.id, _anchor="cash-boxes"))
    elif box is None:
        form.counted.errors = [gettext("There is no such cash box for this event.")]
    return render_dashboard(
        event, close_form=form, close_box=request.form.get("close-box"), status=422
    )
