"""More of the stand-in's controls: what Stripe does "some time later".

Registered on the admin blueprint (`/_standin/...`): settle a refund
(pending -> succeeded/failed/canceled, or a 5126 card's refund failing after
it succeeded), close a dispute won or lost, start a bank debit that completes
later and let the bank answer.
"""

from standin import charges, debits, refunds
from standin.admin import _json_body, bp, standin
from standin.api import json_response
from standin.objects import public


@bp.post("/refunds/<refund_id>/settle")
def settle_refund(refund_id):
    """{"status"?: "succeeded"|"failed"|"canceled"}; default: what the card does."""
    status = _json_body().get("status") or None
    with standin().unit_of_work() as tx:
        refund = refunds.settle(standin(), tx, refund_id, status if isinstance(status, str) else "")
    return json_response(public(refund))


@bp.post("/disputes/<dispute_id>/close")
def close_dispute(dispute_id):
    """{"outcome": "won"|"lost"}."""
    outcome = _json_body().get("outcome")
    with standin().unit_of_work() as tx:
        dispute = charges.close_dispute(standin(), tx, dispute_id, outcome)
    return json_response(public(dispute))


@bp.post("/sessions/<session_id>/debit")
def debit(session_id):
    """Pay by SEPA Direct Debit: {"iban": one of Stripe's test IBANs}; completes unpaid."""
    return json_response(public(debits.start(standin(), session_id, _json_body().get("iban"))))


@bp.post("/sessions/<session_id>/settle")
def settle_debit(session_id):
    """The bank answers the session's debit (by the test IBAN used)."""
    return json_response(public(debits.settle(standin(), session_id)))
