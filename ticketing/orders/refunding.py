"""Refunds through Stripe as a row first: request, commit, send, record.

A `RefundRequest` is written and committed BEFORE Stripe is called, with
its own random Stripe idempotency key; no row lock is held during the call.
So a retry, a double submit, a webhook redelivery or a sweep that sends the
same request again makes one Stripe refund, and a crash between Stripe's
answer and our commit is repaired by sending the request again (Stripe
replays its first answer for the key).

The steps here flush only: `request_refund` writes the request,
`refund_call` says what to ask Stripe, `record_failure` and `record_success`
write its answer. Two units of work put them together, committing the
request before Stripe is called and the answer after it (no row lock is held
through Stripe's call): the organizer's refund, answered at once as the API
promises (`refund_order`, called by the views), and the worker's task for a
late payment's refund or one Stripe never answered
(`ticketing.tasks.jobs.send_refund`, also behind `flask retry-refunds`).
"""

import logging
import secrets
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import func, select

from ticketing.database import utcnow
from ticketing.errors import Busy, Conflict, ValidationFailed
from ticketing.extensions import db
from ticketing.money import exponent
from ticketing.orders import services as orders
from ticketing.orders import stripe_sync
from ticketing.orders.models import Order, OrderStatus
from ticketing.orders.refund_records import PaymentProviderError, _payment_of
from ticketing.payments import gateway
from ticketing.payments.models import Payment, Refund, RefundRequest

log = logging.getLogger(__name__)

LATE_PAYMENT_KEY = "late-payment"
MAX_CLIENT_KEY = 255


class RefundNotSent(Busy):
    """Stripe could not be reached: the request is kept and will be sent again."""

    code = "refund_not_sent"


def new_stripe_key() -> str:
    return "refund-" + secrets.token_urlsafe(24)


def refund_order(
    order: Order,
    amount_minor: int | None = None,
    actor_user_id: int | None = None,
    client_key: str | None = None,
) -> Refund:
    """The organizer's refund of all (None) or part of a card-paid order, answered at
    once; the same `client_key` refunds once. A unit of work for views: commits."""
    request = request_refund(order.id, amount_minor, actor_user_id, client_key)
    request_id = request.id
    db.session.commit()  # the request exists before Stripe is asked
    return send_and_commit(request_id)


def send_and_commit(request_id: int) -> Refund:
    """Ask Stripe for the request's refund and commit its answer (a unit of work).

    Raises PaymentProviderError when Stripe refused it (recorded as failed)
    and RefundNotSent when Stripe could not be reached (kept to send again).
    """
    step = refund_call(request_id)
    if isinstance(step, Refund):
        return step
    db.session.commit()  # no transaction, so no lock, while Stripe answers
    try:
        made = gateway.create_refund(*step.args, key=step.key)
    except gateway.StripeError as exc:
        db.session.rollback()
        error = record_failure(request_id, exc)
        db.session.commit()
        raise error from exc
    refund = record_success(request_id, made)
    db.session.commit()
    return refund


def request_refund(
    order_id: int,
    amount_minor: int | None,
    actor_user_id: int | None = None,
    client_key: str | None = None,
    reason: str = "",
) -> RefundRequest:
    """Under the order's lock: the request for this key, or a new one (flushed)."""
    if client_key is not None and not 0 < len(client_key) <= MAX_CLIENT_KEY:
        raise ValidationFailed(
            gettext(
                "An Idempotency-Key has 1 to %(MAX_CLIENT_KEY)s characters.",
                MAX_CLIENT_KEY=MAX_CLIENT_KEY,
            ),
            field="Idempotency-Key",
        )
    order = orders.lock_order(order_id)
    db.session.refresh(order)
    if client_key is not None:
        first = _request_by_key(order.id, client_key)
        if first is not None:
            if first.asked_minor != amount_minor:
                raise Conflict(
                    gettext(
                        "This Idempotency-Key was already used for another refund of this "
                        "order (%(asked)s); use a new key for a new refund.",
                        asked=_asked(first.asked_minor),
                    ),
                    field="amount_minor",
                )
            return first
    if order.status not in OrderStatus.REFUNDABLE:
        raise Conflict(
            gettext(
                "The order is %(status)s; only paid orders can be refunded.", status=order.status
            )
        )
    payment = _payment_of(order)
    amount = _amount_to_refund(order, amount_minor)
    return _new_request(order, payment, amount_minor, amount, actor_user_id, client_key, reason)


def _asked(asked_minor: int | None) -> str:
    return "all that was left" if asked_minor is None else f"amount_minor {asked_minor}"


def _request_by_key(order_id: int, client_key: str) -> RefundRequest | None:
    query = select(RefundRequest).where(
        RefundRequest.order_id == order_id, RefundRequest.client_key == client_key
    )
    return db.session.execute(query).scalar_one_or_none()


def _in_flight_minor(order_id: int) -> int:
    """Asked of Stripe but not recorded yet: not refundable a second time."""
    query = select(func.coalesce(func.sum(RefundRequest.amount_minor), 0)).where(
        RefundRequest.order_id == order_id, RefundRequest.status == "requested"
    )
    return int(db.session.execute(query).scalar_one())


def _amount_to_refund(order: Order, amount_minor: int | None) -> int:
    remaining = (
        order.total_minor
        - order.refunded_minor
        - _in_flight_minor(order.id)
        - stripe_sync.pending_minor(order)
    )
    amount = remaining if amount_minor is None else amount_minor
    if amount <= 0 or amount > remaining:
        raise ValidationFailed(
            gettext(
                "Refund between 1 and %(max)s minor units (what is left of the payment).",
                max=max(remaining, 0),
            ),
            field="amount_minor",
        )
    if exponent(order.currency) == 3 and amount % 10:
        raise ValidationFailed(
            gettext(
                "%(currency)s refunds must be a multiple of 10 minor units.",
                currency=order.currency,
            ),
            field="amount_minor",
        )
    return amount


def _new_request(order, payment, asked, amount, actor_user_id, client_key, reason):
    request = RefundRequest(
        order_id=order.id,
        payment_id=payment.id,
        client_key=client_key,
        stripe_key=new_stripe_key(),
        asked_minor=asked,
        amount_minor=amount,
        currency=order.currency,
        status="requested",
        reason=reason,
        error="",
        attempts=0,
        created_by_id=actor_user_id,
    )
    db.session.add(request)
    db.session.flush()
    return request


def request_late_refund(order: Order, payment: Payment, reason: str) -> RefundRequest:
    """In the webhook's transaction: give back a payment whose seats were gone.

    Only the request is written here; Stripe is called after the commit.
    """
    first = _request_by_key(order.id, LATE_PAYMENT_KEY)
    if first is not None:
        return first
    return _new_request(order, payment, None, payment.amount_minor, None, LATE_PAYMENT_KEY, reason)


@dataclass(frozen=True)
class RefundCall:
    args: tuple  # payment intent, amount, order id
    key: str


def refund_call(request_id: int) -> "RefundCall | Refund | None":
    """What to ask Stripe for this request; its Refund when already answered (None if
    Stripe's refund was not recorded as ours). Raises PaymentProviderError if refused."""
    request = db.session.get(RefundRequest, request_id)
    if request.status == "succeeded":
        return db.session.get(Refund, request.refund_id) if request.refund_id else None
    if request.status == "failed":
        raise PaymentProviderError(
            gettext("Stripe refused the refund: %(error)s", error=request.error)
        )
    payment = db.session.get(Payment, request.payment_id)
    args = (payment.stripe_payment_intent_id, request.amount_minor, request.order_id)
    return RefundCall(args, request.stripe_key)


def record_failure(request_id: int, exc: Exception) -> Exception:
    """Stripe refused or could not be reached; flushes, and returns what the caller
    raises after its commit (PaymentProviderError, or RefundNotSent to send again)."""
    order = orders.lock_order(db.session.get(RefundRequest, request_id).order_id)
    request = db.session.get(RefundRequest, request_id, populate_existing=True)
    request.attempts += 1
    request.updated_at = utcnow()
    message = getattr(exc, "user_message", None) or str(exc)
    if gateway.is_refusal(exc) and request.status == "requested":
        request.status = "failed"
        request.error = message
        if request.created_by_id is None:  # nobody saw the refusal: the organizer must
            order.needs_attention = True
            note = f"Stripe refused a refund of {request.amount_minor} minor units: {message}"
            order.attention_reason = (order.attention_reason + "\n" + note).strip()
        db.session.flush()
        log.warning("refund request %s refused by Stripe: %s", request_id, message)
        return PaymentProviderError(
            gettext("Stripe refused the refund: %(message)s", message=message)
        )
    request.error = message
    db.session.flush()
    log.warning("refund request %s not sent, will retry: %s", request_id, message)
    return RefundNotSent(
        "Stripe could not be reached; the refund is recorded as requested and will be "
        "sent again (retrying with the same Idempotency-Key is safe)."
    )


def record_success(request_id: int, made) -> Refund:
    """Under the order's lock; a refund the charge.refunded webhook recorded first
    counts once. Flushes."""
    order = orders.lock_order(db.session.get(RefundRequest, request_id).order_id)
    db.session.refresh(order)
    request = db.session.get(RefundRequest, request_id, populate_existing=True)
    refund = db.session.execute(
        select(Refund).where(Refund.stripe_refund_id == made.id)
    ).scalar_one_or_none()
    if refund is None:  # at the status Stripe gave it: a pending refund counts once it succeeds
        payment = db.session.get(Payment, request.payment_id)
        refund = stripe_sync.record_new_refund(
            order, payment, made, request.created_by_id, reason=request.reason
        )
    request.status = "succeeded"
    request.stripe_refund_id = made.id
    request.refund_id = refund.id if refund is not None else None
    request.attempts += 1
    request.error = ""
    request.updated_at = utcnow()
    db.session.flush()
    return refund


def unsent_request_ids(order_id: int | None = None) -> list[int]:
    """Requests not yet answered by Stripe (all, or one order's), oldest first."""
    query = select(RefundRequest.id).where(RefundRequest.status == "requested")
    if order_id is not None:
        query = query.where(RefundRequest.order_id == order_id)
    return list(db.session.execute(query.order_by(RefundRequest.id)).scalars())
