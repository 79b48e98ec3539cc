"""Data for the money tests: an organization with an event, its people and tokens."""

from dataclasses import dataclass

from tests.support import factories
from ticketing.accounts.services import issue_token
from ticketing.tickets.services import issue_tickets


@dataclass
class MoneyShop:
    org: object
    organizer: object  # a Membership
    door: object
    event: object
    tier: object
    organizer_token: str
    door_token: str
    other_org: object
    other_organizer: object
    other_token: str


def build_money_shop(db) -> MoneyShop:
    """Our organization with a USD event (goal $1,000.00, one $25.00 tier of 100), and a rival."""
    org = factories.organization("Songs for Shelter")
    event = factories.event(org, currency="USD", goal_minor=100_000)
    tier = factories.tier(event, name="Standard", price_minor=2500, capacity=100)
    organizer = factories.member(org, "organizer")
    door = factories.member(org, "door")
    other = factories.organization("Rival Org")
    other_organizer = factories.member(other, "organizer")
    _, organizer_token = issue_token(organizer, "organizer")
    _, door_token = issue_token(door, "door")
    _, other_token = issue_token(other_organizer, "organizer")
    db.session.commit()
    return MoneyShop(
        org, organizer, door, event, tier, organizer_token, door_token, other,
        other_organizer, other_token,
    )  # fmt: skip


def card_order(
    event, tier, quantity: int, buyer: str = "Ada Buyer", email: str = "ada@example.test"
):
    """A paid online order with its tickets, as fulfilment leaves it (ledger not written)."""
    order = factories.paid_order(event, [(tier, quantity)], buyer=buyer)
    order.buyer_email = email
    issue_tickets(order)
    return order
