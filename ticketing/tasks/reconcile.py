"""`flask reconcile-stripe` and the worker's periodic task: what the webhooks missed.

Webhooks can all fail (the app was down for three days, an endpoint was
misconfigured), and refunds can be made in Stripe's dashboard. This sweep
lists recent Checkout Sessions, charges and refunds at Stripe and applies
them through the same functions the webhook uses, one commit per repaired
object; then it fills in fees that were unknown at payment time and sends
refund requests Stripe never answered. It changes nothing that is already
right, so a second run repairs nothing. Network calls happen between transactions, never inside one.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

from ticketing.extensions import db
from ticketing.orders import fulfilment, stripe_sync, webhooks
from ticketing.orders.models import OrderStatus
from ticketing.orders.signals import order_paid
from ticketing.payments import gateway

log = logging.getLogger(__name__)


@dataclass
class Sweep:
    since: int
    echo: Callable[[str], None]
    sessions: int = 0
    charges: int = 0
    repairs: list[str] = field(default_factory=list)
    synced_charges: set = field(default_factory=set)

    def repaired(self, line: str) -> None:
        self.repairs.append(line)
        self.echo(line)


def reconcile(since_hours: float, echo: Callable[[str], None]) -> Sweep:
    sweep = Sweep(since=int(time.time() - since_hours * 3600), echo=echo)
    for session in gateway.recent("checkout_sessions", sweep.since):
        sweep.sessions += 1
        _session(sweep, session)
    for charge in gateway.recent("charges", sweep.since):
        sweep.charges += 1
        _charge(sweep, charge)
    for refund in gateway.recent("refunds", sweep.since):  # refunds of older charges
        charge_id = refund.charge if isinstance(refund.charge, str) else refund.charge.id
        if charge_id not in sweep.synced_charges:
            sweep.charges += 1
            _charge(sweep, gateway.retrieve_charge(charge_id))
    _loose_ends(sweep)
    return sweep


def _loose_ends(sweep: Sweep) -> None:
    """Fees Stripe had not settled at payment time, and refunds Stripe never answered."""
    from ticketing.tasks.jobs import fill_unknown_fees, send_unsent_refunds

    filled = fill_unknown_fees()
    if filled:
        sweep.repaired(f"filled in {filled} Stripe fee(s) that were unknown at payment time")
    sent, _left = send_unsent_refunds()
    if sent:
        sweep.repaired(f"sent {sent} refund request(s) Stripe had not answered")


def _needs_work(session) -> bool:
    """Is this one of our own sessions whose order has not caught up with it? (DB read only)"""
    order = fulfilment.order_of(session)
    try:
        if fulfilment.not_own_session(order, session):
            return False
        if session.payment_status == "paid":
            return order.status not in OrderStatus.SETTLED
        return session.status == "expired" and order.status == OrderStatus.PENDING
    finally:
        db.session.rollback()


def _session(sweep: Sweep, listed) -> None:
    if not _needs_work(listed):
        return
    session, disputes = fulfilment.read_session(listed.id)
    if session.payment_status == "paid":
        order = fulfilment.fulfil_session(session, disputes)
        db.session.commit()
        if order is not None:
            order_paid.send(current_app._get_current_object(), order_id=order.id)
            sweep.repaired(f"fulfilled order {order.id}: session {session.id} was paid")
    elif session.status == "expired":
        released = fulfilment.expire_session_order(session)
        order_id = fulfilment.order_id_of(session)
        db.session.commit()
        if released:
            sweep.repaired(f"released order {order_id}: session {session.id} expired")


def _charge(sweep: Sweep, charge) -> None:
    sweep.synced_charges.add(charge.id)
    intent = charge.payment_intent if isinstance(charge.payment_intent, str) else None
    ours = stripe_sync.payment_of_intent(intent) is not None
    db.session.rollback()
    if not ours:
        return  # another app's charge, or a payment the sessions pass could not fulfil
    facts = webhooks.charge_facts(charge)
    result = stripe_sync.sync_charge(facts)
    if not result or not result.changed:
        db.session.rollback()
        return
    order_id = stripe_sync.payment_of_intent(intent).order_id
    db.session.commit()
    sweep.repaired(
        f"order {order_id}: {result.changed} refund/dispute change(s) from charge {charge.id}"
    )
