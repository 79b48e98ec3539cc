"""Refunds: partial or whole, never more than what is left on the charge."""

from standin import cards
from standin import params as p
from standin.core import StandIn
from standin.errors import StripeFailure, no_such
from standin.objects import balance_transaction, load, render
from standin.store import Tx, new_id
from ticketing import money

REFUND_PARAMS = frozenset(
    [
        "payment_intent",
        "charge",
        "amount",
        "metadata",
        "reason",
        "expand",
        "instructions_email",
        "refund_application_fee",
        "reverse_transfer",
    ]
)
REASONS = ("duplicate", "fraudulent", "requested_by_customer")


def create(standin: StandIn, tx: Tx, params: dict) -> dict:
    p.check_known(params, REFUND_PARAMS)
    charge = _charge_to_refund(tx, params)
    left = charge["amount"] - charge["amount_refunded"]
    if charge.get("disputed"):
        raise StripeFailure(
            f"Charge {charge['id']} has been charged back; you cannot refund it.",
            code="charge_disputed",
            param="charge",
        )
    if left <= 0:
        raise StripeFailure(
            f"Charge {charge['id']} has already been refunded.",
            code="charge_already_refunded",
            param="charge",
        )
    amount = left
    if params.get("amount") not in (None, ""):
        amount = p.as_int(params["amount"], "amount", minimum=1)
    if amount > left:
        currency = charge["currency"]
        raise StripeFailure(
            f"Refund amount ({money.format_money(amount, currency)}) is greater than unrefunded "
            f"amount on charge ({money.format_money(left, currency)})",
            code="amount_too_large",
            param="amount",
        )
    reason = p.as_str(params.get("reason"), "reason")
    if reason is not None and reason not in REASONS:
        raise StripeFailure(
            f"Invalid reason: must be one of {', '.join(REASONS)}",
            code="parameter_invalid",
            param="reason",
        )
    now = standin.now()
    behaviour = charge.get("_card_behaviour")
    refund_id = new_id("re_")
    txn = balance_transaction(
        tx,
        amount=-amount,
        fee=0,
        currency=charge["currency"],
        source=refund_id,
        kind="refund",
        now=now,
    )
    refund = tx.insert(
        {
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "balance_transaction": txn["id"],
            "charge": charge["id"],
            "created": now,
            "currency": charge["currency"],
            "metadata": p.as_metadata(params.get("metadata")),
            "payment_intent": charge["payment_intent"],
            "reason": reason,
            "receipt_number": None,
            "status": "pending" if behaviour == cards.REFUND_PENDING else "succeeded",
            "failure_balance_transaction": None,
            "failure_reason": None,
            "_settles_as": "failed" if behaviour == cards.REFUND_FAILS else "succeeded",
        }
    )
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
    charge.setdefault("_refund_ids", []).append(refund_id)
    tx.update(charge)
    standin.emit(tx, "charge.refunded", render(tx, charge))
    standin.emit(tx, "refund.created", refund)
    return refund


def _charge_to_refund(tx: Tx, params: dict) -> dict:
    intent_id = p.as_str(params.get("payment_intent"), "payment_intent")
    charge_id = p.as_str(params.get("charge"), "charge")
    if not intent_id and not charge_id:
        raise StripeFailure(
            "One of the following params should be provided for this request: "
            "payment_intent or charge.",
            code="parameter_missing",
            param="payment_intent",
        )
    if charge_id:
        return load(tx, charge_id, "charge", param="charge")
    intent = load(tx, intent_id, "payment_intent", param="payment_intent")
    charge = tx.get(intent.get("latest_charge") or "", "charge")
    if charge is None:
        raise no_such("charge for payment_intent", intent_id, "payment_intent")
    return charge


SETTLED = ("succeeded", "failed", "canceled")


def settle(standin: StandIn, tx: Tx, refund_id: str, status: str | None = None) -> dict:
    """What happens to a refund "some time later": a pending one succeeds (or fails, or is
    canceled); one on a card whose refunds fail (4000 0000 0000 5126) fails after succeeding.
    `status` None: what the card says. Emits refund.updated (+ refund.failed) and
    charge.refund.updated, as Stripe does."""
    refund = load(tx, refund_id, "refund")
    status = status or refund.get("_settles_as", "succeeded")
    if status not in SETTLED:
        raise StripeFailure(f"Invalid status: must be one of {', '.join(SETTLED)}", param="status")
    if refund["status"] in ("failed", "canceled") or refund["status"] == status:
        raise StripeFailure(
            f"Refund {refund_id} is already {refund['status']}.", code="refund_already_settled"
        )
    if status == "canceled" and refund["status"] != "pending":
        raise StripeFailure("Only a pending refund can be canceled.", code="refund_not_pending")
    if status in ("failed", "canceled"):
        _give_back(standin, tx, refund, status)
    refund["status"] = status
    tx.update(refund)
    standin.emit(tx, "refund.updated", refund)
    if status == "failed":
        standin.emit(tx, "refund.failed", refund)
    standin.emit(tx, "charge.refund.updated", refund)
    return refund


def _give_back(standin: StandIn, tx: Tx, refund: dict, status: str) -> None:
    """The refunded amount returns to the charge (and the account's balance)."""
    charge = load(tx, refund["charge"], "charge")
    charge["amount_refunded"] -= refund["amount"]
    charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
    tx.update(charge)
    txn = balance_transaction(
        tx,
        amount=refund["amount"],
        fee=0,
        currency=refund["currency"],
        source=refund["id"],
        kind="refund_failure",
        now=standin.now(),
    )
    refund["failure_balance_transaction"] = txn["id"]
    refund["failure_reason"] = (
        "merchant_request" if status == "canceled" else "expired_or_canceled_card"
    )
