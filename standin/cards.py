"""Stripe's test card numbers and what each one does on the hosted page."""

import re
from dataclasses import dataclass

PAYS = "pays"
DECLINED = "declined"
INSUFFICIENT_FUNDS = "insufficient_funds"
EXPIRED = "expired_card"
INCORRECT_CVC = "incorrect_cvc"
THREE_D_SECURE = "three_d_secure"
DISPUTED = "disputed"
# Stripe's refund test cards: the payment succeeds; its refunds then start
# `pending` (and succeed later), or start `succeeded` and fail later.
REFUND_PENDING = "refund_pending"
REFUND_FAILS = "refund_fails"


@dataclass(frozen=True)
class CardSpec:
    number: str
    brand: str
    behaviour: str
    label: str

    @property
    def last4(self) -> str:
        return self.number[-4:]

    @property
    def spaced(self) -> str:
        return " ".join(self.number[i : i + 4] for i in range(0, len(self.number), 4))


TEST_CARDS = (
    CardSpec("4242424242424242", "visa", PAYS, "Pays"),
    CardSpec("5555555555554444", "mastercard", PAYS, "Pays (Mastercard)"),
    CardSpec("4000000000000002", "visa", DECLINED, "Declined"),
    CardSpec("4000000000009995", "visa", INSUFFICIENT_FUNDS, "Insufficient funds"),
    CardSpec("4000000000000069", "visa", EXPIRED, "Expired card"),
    CardSpec("4000000000000127", "visa", INCORRECT_CVC, "Incorrect CVC"),
    CardSpec("4000002500003155", "visa", THREE_D_SECURE, "Asks for 3-D Secure"),
    CardSpec("4000000000000259", "visa", DISPUTED, "Pays, then the buyer disputes it"),
    CardSpec("4000000000007726", "visa", REFUND_PENDING, "Pays; refunds stay pending a while"),
    CardSpec("4000000000005126", "visa", REFUND_FAILS, "Pays; refunds fail later"),
)
_BY_NUMBER = {card.number: card for card in TEST_CARDS}


@dataclass(frozen=True)
class Decline:
    """Why a card was refused, in Stripe's words (`card_error`)."""

    code: str
    decline_code: str | None
    message: str


DECLINES = {
    DECLINED: Decline("card_declined", "generic_decline", "Your card was declined."),
    INSUFFICIENT_FUNDS: Decline(
        "card_declined", "insufficient_funds", "Your card has insufficient funds."
    ),
    EXPIRED: Decline("expired_card", "expired_card", "Your card has expired."),
    INCORRECT_CVC: Decline(
        "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."
    ),
}
INCORRECT_NUMBER = Decline("incorrect_number", None, "Your card number is incorrect.")
AUTHENTICATION_FAILED = Decline(
    "payment_intent_authentication_failure",
    None,
    "We are unable to authenticate your payment method. "
    "Please choose a different payment method and try again.",
)


def normalize(number) -> str:
    """Digits only: people type spaces and dashes."""
    return re.sub(r"[\s-]", "", number) if isinstance(number, str) else ""


def lookup(number) -> CardSpec | None:
    """The test card for what was typed, or None (an incorrect number)."""
    return _BY_NUMBER.get(normalize(number))
