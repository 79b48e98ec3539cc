"""Paying a session with a test card: payment intent, charge, fee, dispute.

Shared by the hosted page and `POST /_standin/sessions/{id}/pay`, so tests
that pay without a browser run exactly the code a buyer's click runs.
"""

import threading
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP

from standin import cards
from standin.core import StandIn
from standin.errors import StripeFailure
from standin.fees import card_fee
from standin.objects import balance_transaction, load, render
from standin.sessions import expire, is_due
from standin.store import Tx, new_id
from ticketing import money

PAID = "paid"
DECLINED = "declined"
NEEDS_AUTHENTICATION = "requires_action"
NOT_OPEN = "not_open"


@dataclass
class Attempt:
    """What a payment attempt led to; `session` is its state afterwards."""

    outcome: str
    session: dict
    decline: cards.Decline | None = None
    card: cards.CardSpec | None = None
    created: list[str] = field(default_factory=list)


def attempt(
    standin: StandIn,
    session_id: str,
    card_number,
    *,
    name: str = "",
    authentication: str | None = None,
) -> Attempt:
    """Try the typed card on the session; one transaction, so only one payment can win.

    `authentication` answers the 3-D Secure step: None (not asked yet),
    "complete" or "fail".
    """
    with standin.unit_of_work() as tx:
        session = load(tx, session_id, "checkout.session", "checkout.session")
        if is_due(standin, session):
            expire(standin, tx, session)
        if session["status"] != "open":
            return Attempt(NOT_OPEN, session)
        card = cards.lookup(card_number)
        if card is None:
            return Attempt(DECLINED, session, cards.INCORRECT_NUMBER)
        if card.behaviour in cards.DECLINES:
            return Attempt(DECLINED, session, cards.DECLINES[card.behaviour], card)
        if card.behaviour == cards.THREE_D_SECURE:
            if authentication is None:
                return Attempt(NEEDS_AUTHENTICATION, session, card=card)
            if authentication != "complete":
                return Attempt(DECLINED, session, cards.AUTHENTICATION_FAILED, card)
        created = _complete(standin, tx, session, card, name.strip()[:200])
        return Attempt(PAID, session, card=card, created=created)


def _complete(standin: StandIn, tx: Tx, session: dict, card: cards.CardSpec, name: str) -> list:
    now = standin.now()
    amount, currency = session["amount_total"], session["currency"]
    intent_data = session.get("_payment_intent_data") or {}
    intent_id, charge_id = new_id("pi_"), new_id("ch_")
    late = standin.balance_transaction_delay > 0
    txn = None if late else settle(standin, tx, amount, currency, charge_id, now)
    billing = {"email": session.get("customer_email"), "name": name or None}
    method_id = new_id("pm_")
    charge = tx.insert(
        {
            "id": charge_id,
            "object": "charge",
            "amount": amount,
            "amount_captured": amount,
            "amount_refunded": 0,
            "balance_transaction": txn["id"] if txn else None,
            "billing_details": billing,
            "captured": True,
            "created": now,
            "currency": currency,
            "customer": None,
            "description": intent_data.get("description"),
            "disputed": False,
            "failure_code": None,
            "failure_message": None,
            "livemode": False,
            "metadata": dict(intent_data.get("metadata") or {}),
            "outcome": {"network_status": "approved_by_network", "type": "authorized"},
            "paid": True,
            "payment_intent": intent_id,
            "payment_method": method_id,
            "payment_method_details": {
                "type": "card",
                "card": {
                    "brand": card.brand,
                    "country": "US",
                    "exp_month": 12,
                    "exp_year": 2034,
                    "funding": "credit",
                    "last4": card.last4,
                },
            },
            "receipt_email": session.get("customer_email"),
            "refunded": False,
            "status": "succeeded",
            "_refund_ids": [],
            "_card_behaviour": card.behaviour,
        }
    )
    tx.insert(
        {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": amount,
            "capture_method": "automatic",
            "created": now,
            "currency": currency,
            "customer": None,
            "description": intent_data.get("description"),
            "latest_charge": charge_id,
            "livemode": False,
            "metadata": dict(intent_data.get("metadata") or {}),
            "payment_method": method_id,
            "payment_method_types": ["card"],
            "receipt_email": session.get("customer_email"),
            "status": "succeeded",
        }
    )
    session.update(
        status="complete",
        payment_status="paid",
        payment_intent=intent_id,
        url=None,
        customer_details={"email": session.get("customer_email"), "name": name or None},
    )
    tx.update(session)
    standin.emit(tx, "checkout.session.completed", session)
    if card.behaviour == cards.DISPUTED:
        _open_dispute(standin, tx, charge)
    if late:
        _settle_later(standin, charge_id)
    return [intent_id, charge_id] + ([txn["id"]] if txn else [])


def settle(standin: StandIn, tx: Tx, amount: int, currency: str, source: str, now: int) -> dict:
    """The charge's balance transaction: converted to the settlement currency at
    the stand-in's rate (ticketing.money's table), the fee taken there."""
    settlement = standin.settlement_currency
    rate = None
    settled = amount
    if settlement != currency.lower():
        exact = money.approx_exchange_rate(currency, settlement)
        rate = float(exact)
        settled = money.approx_convert_minor(amount, currency, settlement, ROUND_HALF_UP)
    return balance_transaction(
        tx,
        amount=settled,
        fee=card_fee(settled),
        currency=settlement,
        source=source,
        kind="charge",
        now=now,
        exchange_rate=rate,
    )


def _settle_later(standin: StandIn, charge_id: str) -> None:
    """STANDIN_BALANCE_TRANSACTION_DELAY: the balance transaction appears later."""
    timer = threading.Timer(standin.balance_transaction_delay, settle_now, (standin, charge_id))
    timer.daemon = True
    timer.start()


def settle_now(standin: StandIn, charge_id: str) -> dict | None:
    """Give a charge its balance transaction now, and tell with `charge.updated`."""
    with standin.unit_of_work() as tx:
        charge = tx.get(charge_id, "charge")
        if charge is None or charge.get("balance_transaction"):
            return None
        txn = settle(standin, tx, charge["amount"], charge["currency"], charge_id, standin.now())
        charge["balance_transaction"] = txn["id"]
        tx.update(charge)
        standin.emit(tx, "charge.updated", render(tx, charge))
    return txn


def _open_dispute(standin: StandIn, tx: Tx, charge: dict) -> dict:
    """Card 0259: the buyer's bank disputes the payment right after it succeeds."""
    now = standin.now()
    dispute = tx.insert(
        {
            "id": new_id("dp_"),
            "object": "dispute",
            "amount": charge["amount"],
            "charge": charge["id"],
            "created": now,
            "currency": charge["currency"],
            "evidence_details": {
                "due_by": now + 7 * 86400,
                "has_evidence": False,
                "past_due": False,
                "submission_count": 0,
            },
            "is_charge_refundable": False,
            "livemode": False,
            "metadata": {},
            "payment_intent": charge["payment_intent"],
            "reason": "fraudulent",
            "status": "needs_response",
        }
    )
    charge["disputed"] = True
    tx.update(charge)
    standin.emit(tx, "charge.dispute.created", dispute)
    return dispute


def close_dispute(standin: StandIn, tx: Tx, dispute_id: str, outcome: str) -> dict:
    """The bank decides: `won` (the money stays) or `lost` (it goes back to the buyer)."""
    dispute = load(tx, dispute_id, "dispute")
    if dispute["status"] in ("won", "lost"):
        raise StripeFailure(f"Dispute {dispute_id} is already {dispute['status']}.")
    if outcome not in ("won", "lost"):
        raise StripeFailure("outcome must be won or lost.", param="outcome")
    dispute["status"] = outcome
    tx.update(dispute)
    standin.emit(tx, "charge.dispute.closed", dispute)
    return dispute
