"""Refunds: partial or whole, never more than what is left on the charge."""

from ticketing import money
from ticketing.payments.standin import params as p
from ticketing.payments.standin.core import StandIn
from ticketing.payments.standin.errors import StripeFailure, no_such
from ticketing.payments.standin.objects import balance_transaction, load, render
from ticketing.payments.standin.store import Tx, new_id

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
            "status": "succeeded",
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


def listing(tx: Tx, params: dict) -> tuple[list[dict], bool]:
    """GET /v1/refunds, newest first, filtered by payment_intent or charge like Stripe's."""
    p.check_known(params, frozenset({"payment_intent", "charge", "limit", "expand"}))
    limit = (
        p.as_int(params["limit"], "limit", minimum=1, maximum=100) if params.get("limit") else 10
    )
    found = None
    for key in ("payment_intent", "charge"):
        if params.get(key):
            found = tx.find("refund", key, p.as_str(params[key], key), limit + 1)
            break
    if found is None:
        found = tx.all_of("refund", limit + 1)
    return found[:limit], len(found) > limit
