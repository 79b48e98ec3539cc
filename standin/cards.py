"""Stripe's test card numbers and what each one does on the hosted page."""

import re
from dataclasses import dataclass


def N_(text: str) -> str:
    """Marks a text for the catalog (pybabel -k N_); the page translates it when shown."""
    return text


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
    CardSpec("4242424242424242", "visa", PAYS, N_("Pays")),
    CardSpec("5555555555554444", "mastercard", PAYS, N_("Pays (Mastercard)")),
    CardSpec("4000000000000002", "visa", DECLINED, N_("Declined")),
    CardSpec("4000000000009995", "visa", INSUFFICIENT_FUNDS, N_("Insufficient funds")),
    CardSpec("4000000000000069", "visa", EXPIRED, N_("Expired card")),
    CardSpec("4000000000000127", "visa", INCORRECT_CVC, N_("Incorrect CVC")),
    CardSpec("4000002500003155", "visa", THREE_D_SECURE, N_("Asks for 3-D Secure")),
    CardSpec("4000000000000259", "visa", DISPUTED, N_("Pays, then the buyer disputes it")),
    CardSpec("4000000000007726", "visa", REFUND_PENDING, N_("Pays; refunds stay pending a while")),
    CardSpec("4000000000005126", "visa", REFUND_FAILS, N_("Pays; refunds fail later")),
)
_BY_NUMBER = {card.number: card for card in TEST_CARDS}


@dataclass(frozen=True)
class Decline:
    """Why a card was refused, in Stripe's words (`card_error`)."""

    code: str
    decline_code: str | None
    message: str


DECLINES = {
    DECLINED: Decline("card_declined", "generic_decline", N_("Your card was declined.")),
    INSUFFICIENT_FUNDS: Decline(
        "card_declined", "insufficient_funds", N_("Your card has insufficient funds.")
    ),
    EXPIRED: Decline("expired_card", "expired_card", N_("Your card has expired.")),
    INCORRECT_CVC: Decline(
        "incorrect_cvc", "incorrect_cvc", N_("Your card's security code is incorrect.")
    ),
}
INCORRECT_NUMBER = Decline("incorrect_number", None, N_("Your card number is incorrect."))
AUTHENTICATION_FAILED = Decline(
    "payment_intent_authentication_failure",
    None,
    N_(
        "We are unable to authenticate your payment method. "
        "Please choose a different payment method and try again."
    ),
)


def normalize(number) -> str:
    """Digits only: people type spaces and dashes."""
    return re.sub(r"[\s-]", "", number) if isinstance(number, str) else ""


def lookup(number) -> CardSpec | None:
    """The test card for what was typed, or None (an incorrect number)."""
    return _BY_NUMBER.get(normalize(number))
