"""Stripe's fee for a payment, booked in the event's currency once Stripe knows it.

A charge's balance transaction may still be null when the payment is
fulfilled; the payment is then recorded with `fee_known` False and no fee
entry. `charge.updated` (when the balance transaction appears) or the sweep
`ticketing.tasks.jobs.fill_unknown_fees` (the worker, reconcile-stripe) books it later.
"""

from sqlalchemy import select

from ticketing.extensions import db
from ticketing.orders import services as orders
from ticketing.orders.models import Order
from ticketing.payments import gateway, ledger
from ticketing.payments.models import Payment


def fill_in_fee(charge) -> Payment | None:
    """Book the fee of the charge's payment if it was unknown (once). Flushes."""
    fee = gateway.fee_of_charge(charge)
    if fee is None:
        return None
    payment_id = db.session.execute(
        select(Payment.id).where(Payment.stripe_charge_id == charge.id)
    ).scalar_one_or_none()
    if payment_id is None:
        return None  # not ours, or not fulfilled yet (fulfilment reads the fee itself)
    order_id = db.session.execute(
        select(Payment.order_id).where(Payment.id == payment_id)
    ).scalar_one()
    order: Order = orders.lock_order(order_id)
    payment = db.session.get(Payment, payment_id, populate_existing=True)
    if payment.fee_known:
        return None
    payment.fee_minor, payment.fee_known = fee, True
    if fee:
        ledger.record(
            order.event_id, "fee", fee, payment.currency, order_id=order.id, payment_id=payment.id
        )
    db.session.flush()
    return payment


def unknown_fee_charge_ids(limit: int = 100) -> list[str]:
    query = (
        select(Payment.stripe_charge_id)
        .where(Payment.fee_known.is_(False), Payment.stripe_charge_id.is_not(None))
        .order_by(Payment.id)
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())
