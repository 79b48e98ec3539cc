"""Totals and manual payments under /api/v1 (owner or organizer of the event's organization)."""

from functools import wraps

from flask import abort
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Blueprint
from sqlalchemy import select

from ticketing.extensions import db
from ticketing.orders import door
from ticketing.orders.reservations import totals_with_reservations as event_totals
from ticketing.payments import manual
from ticketing.payments.models import ManualPayment
from ticketing.reports.access import event_for, money_principal
from ticketing.reports.schemas import (
    ManualPaymentInSchema,
    ManualPaymentSchema,
    SoldOutSchema,
    TotalsSchema,
    VoidInSchema,
)
from ticketing.schemas import ApiErrorSchema
from ticketing.tickets.models import Ticket

blp = Blueprint(
    "reports_api",
    __name__,
    url_prefix="/api/v1",
    description="Totals raised per event, and cash or bank transfers recorded by hand.",
)

SECURITY = [{"bearerAuth": []}]


def auth_errors(view):
    """Check the caller before the body is parsed (401/403 come before 422), and say so."""
    view = blp.alt_response(401, schema=ApiErrorSchema, description="No valid token or login.")(
        view
    )
    view = blp.alt_response(403, schema=ApiErrorSchema, description="Door staff see no money.")(
        view
    )
    view = blp.alt_response(404, schema=ApiErrorSchema, description="Not in your organization.")(
        view
    )
    view = blp.doc(security=SECURITY)(view)

    @wraps(view)
    def checked(*args, **kwargs):
        money_principal()
        return view(*args, **kwargs)

    return checked


def with_ticket_codes(payment: ManualPayment) -> ManualPayment:
    """Attach `ticket_codes` (a door sale's tickets) for ManualPaymentSchema to dump."""
    codes = []
    if payment.order_id is not None:
        codes = list(
            db.session.execute(
                select(Ticket.code).where(Ticket.order_id == payment.order_id).order_by(Ticket.id)
            ).scalars()
        )
    payment.ticket_codes = codes
    return payment


@blp.route("/events/<int:event_id>/totals")
class Totals(MethodView):
    @auth_errors
    @blp.response(200, TotalsSchema)
    def get(self, event_id: int):
        """What an event raised, exact to the minor unit.

        raised_minor = tickets_minor + donations_minor + manual_minor - refunds_minor;
        net_minor = raised_minor - fees_minor. Voids and corrections are
        reversing ledger entries, so they are already netted in each line.
        """
        event = event_for(money_principal(), event_id)
        return event_totals(event)


@blp.route("/events/<int:event_id>/manual-payments")
class ManualPayments(MethodView):
    @auth_errors
    @blp.response(200, ManualPaymentSchema(many=True))
    def get(self, event_id: int):
        """Every cash or bank-transfer record of the event, voided ones included."""
        event = event_for(money_principal(), event_id)
        return [with_ticket_codes(payment) for payment in manual.manual_payments(event)]

    @auth_errors
    @blp.arguments(ManualPaymentInSchema())
    @blp.response(201, ManualPaymentSchema)
    @blp.alt_response(409, schema=SoldOutSchema, description="Not enough seats left (sold_out).")
    def post(self, data: dict, event_id: int):
        """Record cash or a bank transfer: a donation, or tickets sold at the door.

        Door tickets are a paid order that counts against capacity; its ticket
        codes are in `ticket_codes`. Both count in totals as `manual_minor`.
        """
        principal = money_principal()
        event = event_for(principal, event_id)
        common = {
            "method": data["method"],
            "note": data["note"],
            "recorded_by_id": principal.user_id,
        }
        if data["kind"] == "donation":
            payment = manual.record_donation(event, amount_minor=data["amount_minor"], **common)
        else:
            payment = door.record_door_sale(
                event,
                ticket_type_id=data["ticket_type_id"],
                quantity=data["quantity"],
                amount_minor=data.get("amount_minor"),
                buyer_name=data["buyer_name"],
                buyer_email=data["buyer_email"],
                **common,
            )
        with_ticket_codes(payment)
        db.session.commit()
        door.announce_door_sale(payment)
        return payment


@blp.route("/manual-payments/<int:payment_id>/void")
class VoidManualPayment(MethodView):
    @auth_errors
    @blp.arguments(VoidInSchema())
    @blp.response(200, ManualPaymentSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="Already voided.")
    def post(self, data: dict, payment_id: int):
        """Void a mistaken record: a reversing ledger entry; door tickets are revoked."""
        principal = money_principal()
        payment = db.session.get(ManualPayment, payment_id)
        if payment is None:
            abort(404, gettext("There is no such manual payment."))
        event_for(principal, payment.event_id)
        door.void(payment, reason=data["reason"], voided_by_id=principal.user_id)
        with_ticket_codes(payment)
        db.session.commit()
        return payment
