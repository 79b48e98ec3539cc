"""A whole small world for the tests that cross every domain.

`build_world` builds, in one commit: our organization (organizer, door member,
a spare member and a spare token to remove or revoke), a rival organization
with its organizer, a published event (a paid tier and a free one), a draft
event, a paid order with four tickets and its buyer's access token, one
check-in, one cash donation, an event-bound door device token and an
event-bound organizer token.

The test's session keeps loaded values after commit (`expire_on_commit`
off), so reading ids never opens a transaction while a server writes.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tests.support import factories
from ticketing.accounts.services import issue_token
from ticketing.checkin.models import CheckIn
from ticketing.orders.access import seal
from ticketing.payments import manual
from ticketing.tickets.services import issue_tickets

BUYER_EMAIL = "ada.buyer@example.test"


@dataclass
class World:
    org: object
    organizer: object  # Membership
    door: object
    rival: object
    rival_organizer: object
    event: object  # published, USD
    draft: object  # unpublished, same organization
    tier: object
    free_tier: object
    order: object  # paid, 3 tickets, no card payment
    order_token: str
    codes: list[str]
    checkin_id: int
    manual_payment_id: int
    spare_member_id: int
    spare_token_id: int
    organizer_token: str
    door_token: str
    rival_token: str
    device_token: str
    bound_token: str  # an organizer token bound to `event`
    secrets: list[str] = field(default_factory=list)

    def bearer(self, role: str) -> dict:
        token = {
            "organizer": self.organizer_token,
            "door": self.door_token,
            "rival": self.rival_token,
            "bound": self.bound_token,
        }[role]
        return {"Authorization": f"Bearer {token}"}

    def user_id(self, role: str) -> int:
        return {
            "organizer": self.organizer.user_id,
            "door": self.door.user_id,
            "rival": self.rival_organizer.user_id,
        }[role]


def build_world(db) -> World:
    db.session().expire_on_commit = False
    org = factories.organization("Songs for Shelter")
    rival = factories.organization("Rival Org")
    organizer = factories.member(org, "organizer", email="organizer@example.test")
    door = factories.member(org, "door", email="door@example.test")
    spare = factories.member(org, "door", email="spare@example.test")
    rival_organizer = factories.member(rival, "organizer", email="rival@example.test")
    event = factories.event(org, name="Benefit Night Secret", currency="USD")
    draft = factories.event(
        org, name="Draft Night", published=False, starts_at=datetime.now(UTC) + timedelta(days=9)
    )
    tier = factories.tier(event, name="Standard", price_minor=2500, capacity=100)
    free_tier = factories.tier(event, name="Free seat", price_minor=0, capacity=100)
    order = factories.paid_order(event, [(tier, 4)], buyer="Ada Buyer")
    order.buyer_email = BUYER_EMAIL
    order_token = seal(order)
    tickets = issue_tickets(order)
    checkin = CheckIn(ticket_id=tickets[0].id, event_id=event.id, user_id=door.user_id)
    db.session.add(checkin)
    payment = manual.record_donation(
        event, amount_minor=1000, method="cash", recorded_by_id=organizer.user_id
    )
    _, organizer_token = issue_token(organizer, "organizer")
    _, door_token = issue_token(door, "door")
    _, rival_token = issue_token(rival_organizer, "organizer")
    _, device_token = issue_token(door, "door", event_id=event.id, name="door phone")
    _, bound_token = issue_token(organizer, "organizer", event_id=event.id, name="one event")
    spare_token, _ = issue_token(spare, "door", name="spare")
    db.session.commit()
    return World(
        org=org,
        organizer=organizer,
        door=door,
        rival=rival,
        rival_organizer=rival_organizer,
        event=event,
        draft=draft,
        tier=tier,
        free_tier=free_tier,
        order=order,
        order_token=order_token,
        codes=[t.code for t in tickets],
        checkin_id=checkin.id,
        manual_payment_id=payment.id,
        spare_member_id=spare.id,
        spare_token_id=spare_token.id,
        organizer_token=organizer_token,
        door_token=door_token,
        rival_token=rival_token,
        device_token=device_token,
        bound_token=bound_token,
        # What a rival organization must never see of ours.
        secrets=[event.name, draft.name, BUYER_EMAIL, "organizer@example.test"],
    )
