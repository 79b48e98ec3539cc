"""A payment method that completes later (SEPA Direct Debit), with Stripe's test IBANs.

Checkout completes at once with `payment_status: "unpaid"` (the intent is
`processing`); the bank answers days later, simulated by `settle`:
`checkout.session.async_payment_succeeded` (the session becomes paid, the
charge gets its fee) or `checkout.session.async_payment_failed`.
"""

import re

from standin.core import StandIn
from standin.errors import StripeFailure
from standin.fees import card_fee
from standin.objects import balance_transaction, load
from standin.sessions import expire, is_due
from standin.store import new_id

SUCCEEDS = "DE89370400440532013000"
FAILS = "DE62370400440532013001"
TEST_IBANS = (SUCCEEDS, FAILS)


def start(standin: StandIn, session_id: str, iban) -> dict:
    """The buyer confirms a debit: the session completes unpaid; returns the session."""
    iban = re.sub(r"\s", "", iban).upper() if isinstance(iban, str) else ""
    if iban not in TEST_IBANS:
        raise StripeFailure(
            f"Use a test IBAN: {SUCCEEDS} (succeeds later) or {FAILS} (fails later).",
            param="iban",
        )
    with standin.unit_of_work() as tx:
        session = load(tx, session_id, "checkout.session", "checkout.session")
        if is_due(standin, session):
            expire(standin, tx, session)
        if session["status"] != "open":
            raise StripeFailure(
                f"This Checkout Session is {session['status']}, not open.",
                code="checkout_session_not_open",
            )
        now = standin.now()
        intent_id, charge_id = new_id("pi_"), new_id("ch_")
        metadata = dict((session.get("_payment_intent_data") or {}).get("metadata") or {})
        common = {
            "amount": session["amount_total"],
            "created": now,
            "currency": session["currency"],
            "customer": None,
            "livemode": False,
            "metadata": metadata,
            "receipt_email": session.get("customer_email"),
        }
        tx.insert(
            {
                **common,
                "id": charge_id,
                "object": "charge",
                "amount_captured": session["amount_total"],
                "amount_refunded": 0,
                "balance_transaction": None,
                "captured": True,
                "disputed": False,
                "paid": False,
                "payment_intent": intent_id,
                "payment_method_details": {
                    "type": "sepa_debit",
                    "sepa_debit": {"last4": iban[-4:]},
                },
                "refunded": False,
                "status": "pending",
                "_refund_ids": [],
                "_iban": iban,
            }
        )
        tx.insert(
            {
                **common,
                "id": intent_id,
                "object": "payment_intent",
                "amount_received": 0,
                "latest_charge": charge_id,
                "payment_method_types": ["sepa_debit"],
                "status": "processing",
            }
        )
        session.update(
            status="complete", payment_status="unpaid", payment_intent=intent_id, url=None
        )
        session["payment_method_types"] = ["card", "sepa_debit"]
        tx.update(session)
        standin.emit(tx, "checkout.session.completed", session)
    return session


def settle(standin: StandIn, session_id: str) -> dict:
    """The bank's answer arrives: paid or failed, by the test IBAN used."""
    with standin.unit_of_work() as tx:
        session = load(tx, session_id, "checkout.session", "checkout.session")
        intent = tx.get(session.get("payment_intent") or "", "payment_intent")
        if intent is None or intent["status"] != "processing":
            raise StripeFailure("This session has no debit waiting for the bank.")
        charge = load(tx, intent["latest_charge"], "charge")
        if charge["_iban"] == SUCCEEDS:
            txn = balance_transaction(
                tx,
                amount=charge["amount"],
                fee=card_fee(charge["amount"]),
                currency=charge["currency"],
                source=charge["id"],
                kind="charge",
                now=standin.now(),
            )
            charge.update(status="succeeded", paid=True, balance_transaction=txn["id"])
            intent.update(status="succeeded", amount_received=charge["amount"])
            session["payment_status"] = "paid"
            event = "checkout.session.async_payment_succeeded"
        else:
            charge.update(status="failed", failure_code="insufficient_funds")
            intent["status"] = "requires_payment_method"
            event = "checkout.session.async_payment_failed"
        for obj in (charge, intent, session):
            tx.update(obj)
        standin.emit(tx, event, session)
    return session
