"""One order seen by its organizer: what was bought, paid, refunded, and its tickets.

Refunds and the ticket email belong to other domains; this page calls them
through their public functions.
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from sqlalchemy import select

from ticketing.delivery.outbox import ask_again
from ticketing.errors import DomainError
from ticketing.extensions import db
from ticketing.orders.models import OrderStatus
from ticketing.orders.refunding import refund_order
from ticketing.payments.models import LedgerEntry, ManualPayment, Payment, Refund
from ticketing.reports.access import money_principal, order_for, organizer_page
from ticketing.reports.forms import RefundForm, ResendForm, amount_minor
from ticketing.reports.views import bp
from ticketing.tasks.queue import enqueue
from ticketing.templating import money


def _rows(model, *where, order_by):
    return list(db.session.execute(select(model).where(*where).order_by(order_by)).scalars())


def render_order(order, refund_form=None, status: int = 200):
    page = render_template(
        "reports/order.html",
        order=order,
        event=order.event,
        payments=_rows(Payment, Payment.order_id == order.id, order_by=Payment.id),
        refunds=_rows(Refund, Refund.order_id == order.id, order_by=Refund.id),
        entries=_rows(LedgerEntry, LedgerEntry.order_id == order.id, order_by=LedgerEntry.id),
        manual_payments=_rows(
            ManualPayment, ManualPayment.order_id == order.id, order_by=ManualPayment.id
        ),
        can_refund=order.source != "door"
        and order.status in OrderStatus.REFUNDABLE
        and order.refunded_minor < order.total_minor,
        can_resend=bool(order.tickets),
        refund_form=refund_form or RefundForm(formdata=None),
        resend_form=ResendForm(formdata=None),
    )
    return page, status


@bp.get("/manage/orders/<int:order_id>")
@organizer_page
def order_detail(order_id: int):
    return render_order(order_for(money_principal(), order_id))


@bp.post("/manage/orders/<int:order_id>/refund")
@organizer_page
def refund(order_id: int):
    """Refund all (empty amount) or part of an order, through the payments domain."""
    principal = money_principal()
    order = order_for(principal, order_id)
    form = RefundForm()
    if form.validate_on_submit():
        amount = amount_minor(form.amount, order.currency, required=False)
        if not form.amount.errors:
            try:
                made = refund_order(
                    order, amount, actor_user_id=principal.user_id, client_key=form.key.data or None
                )
            except DomainError as exc:
                db.session.rollback()
                form.amount.errors = [*form.amount.errors, exc.message]
            else:
                refunded = made.amount_minor
                db.session.commit()
                flash(
                    gettext(
                        "Refunded %(money)s through Stripe.", money=money(refunded, order.currency)
                    ),
                    "success",
                )
                return redirect(url_for(".order_detail", order_id=order.id))
    return render_order(order_for(principal, order_id), refund_form=form, status=422)


@bp.post("/manage/orders/<int:order_id>/resend")
@organizer_page
def resend_tickets(order_id: int):
    order = order_for(money_principal(), order_id)
    form = ResendForm()
    if not form.validate_on_submit():
        flash(gettext("The tickets could not be resent."), "error")
        return redirect(url_for(".order_detail", order_id=order.id))
    email = order.buyer_email
    ask_again(order)
    db.session.commit()
    enqueue("send_ticket_email", order.id, manual=True)  # after the commit; never SMTP here
    db.session.expire_all()
    order = order_for(money_principal(), order_id)
    if order.email_status == "sent":  # the task ran already (tests run tasks at once)
        flash(gettext("Tickets sent again to %(email)s.", email=email), "success")
    elif order.email_status == "failed":
        flash(gettext("Sending failed: %(value)s", value=order.email_error), "error")
    elif order.email_status == "none":
        flash(gettext("There are no valid tickets to send."), "error")
    else:
        flash(gettext("Sending the tickets to %(email)s.", email=email), "success")
    return redirect(url_for(".order_detail", order_id=order.id))
