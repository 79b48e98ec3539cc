"""Issue 12 item 8: refunds that stay pending, fail or are canceled; payments that complete later.

Tickets follow the money: revoked only when a refund succeeds, valid again
when it fails. A pending refund is on its way and counts nowhere yet.
"""

import pytest

from tests.orders.stripe_world import admin, state
from tests.support import factories as f
from tests.support.servers import wait_for
from ticketing.events.totals import event_totals

PENDING_REFUNDS_CARD = "4000000000007726"
FAILING_REFUNDS_CARD = "4000000000005126"


@pytest.fixture
def shop(make_shop):
    """Webhooks after the API call returns, as Stripe's (the refund request commits first)."""
    return make_shop("async")


def settles(db, order_id: int, **expected) -> dict:
    """Wait until the order's recorded state shows `expected` (webhooks come late)."""
    wait_for(lambda: all(state(db, order_id)[k] == v for k, v in expected.items()), db)
    return state(db, order_id)


def delivered(shop) -> bool:
    events = shop.standin.events()
    return all(e["delivery"]["status"] == "delivered" for e in events)


@pytest.fixture
def organizer(db, org):
    token = f.token(org, "organizer")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def paid(shop, concert, card: str) -> dict:
    tier = concert.ticket_types[0]
    created = shop.buy(concert.id, [{"ticket_type_id": tier.id, "quantity": 2}]).json()
    assert shop.pay(created, card).json()["outcome"] == "paid"
    settles(shop.db, created["id"], status="paid")
    return created


def refund(shop, created, auth, amount=None) -> dict:
    body = {} if amount is None else {"amount_minor": amount}
    response = shop.api("POST", f"/api/v1/orders/{created['id']}/refund", json=body, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def refund_id(shop) -> str:
    return shop.standin.events("refund.created")[0]["event"]["data"]["object"]["id"]


def totals(db, concert) -> dict:
    db.session.expire_all()
    result = event_totals(concert)
    db.session.commit()
    return result


def test_a_pending_refund_counts_when_it_succeeds(shop, db, concert, organizer):
    created = paid(shop, concert, PENDING_REFUNDS_CARD)
    answer = refund(shop, created, organizer)
    assert answer["status"] == "paid" and answer["refunded_minor"] == 0
    pending = state(db, created["id"])
    assert pending["refunds"] == [("pending", 5000)] and pending["tickets"] == ["valid"] * 2
    assert ("refund", 5000) not in pending["ledger"] and totals(db, concert)["refunds_minor"] == 0
    # A second refund of the same money is refused while the first is on its way.
    again = shop.api("POST", f"/api/v1/orders/{created['id']}/refund", json={}, headers=organizer)
    assert again.status_code == 422, again.text

    admin(shop, f"/refunds/{refund_id(shop)}/settle")  # the bank pays it out
    done = settles(db, created["id"], status="refunded")
    assert done["status"] == "refunded" and done["refunds"] == [("succeeded", 5000)]
    assert done["tickets"] == ["revoked"] * 2 and done["ledger"].count(("refund", 5000)) == 1
    assert totals(db, concert)["refunds_minor"] == 5000


@pytest.mark.parametrize("outcome", ["failed", "canceled"])
def test_a_pending_refund_that_fails_is_never_applied(shop, db, concert, organizer, outcome):
    created = paid(shop, concert, PENDING_REFUNDS_CARD)
    refund(shop, created, organizer, 2000)
    admin(shop, f"/refunds/{refund_id(shop)}/settle", {"status": outcome})
    after = settles(db, created["id"], refunds=[(outcome, 2000)])
    assert after["status"] == "paid" and after["refunded_minor"] == 0
    assert after["refunds"] == [(outcome, 2000)] and after["tickets"] == ["valid"] * 2
    assert not [entry for entry in after["ledger"] if entry[0] == "refund"]
    assert totals(db, concert)["refunds_minor"] == 0
    # The money is still there to refund.
    assert refund(shop, created, organizer, 2000)["refunded_minor"] == 0  # pending again


def test_a_refund_that_fails_after_succeeding_is_reversed(shop, db, concert, organizer):
    created = paid(shop, concert, FAILING_REFUNDS_CARD)
    answer = refund(shop, created, organizer)
    assert answer["status"] == "refunded" and answer["refunded_minor"] == 5000
    assert state(db, created["id"])["tickets"] == ["revoked"] * 2

    wait_for(lambda: delivered(shop), db)  # charge.refunded came and changed nothing
    assert state(db, created["id"])["refunds"] == [("succeeded", 5000)]
    admin(shop, f"/refunds/{refund_id(shop)}/settle")  # Stripe: refund.failed, days later
    after = settles(db, created["id"], status="paid")
    assert after["status"] == "paid" and after["refunded_minor"] == 0
    assert after["refunds"] == [("failed", 5000)] and after["tickets"] == ["valid"] * 2
    assert ("refund", 5000) in after["ledger"] and ("refund", -5000) in after["ledger"]
    assert "refund failed" in after["attention"]
    assert totals(db, concert)["refunds_minor"] == 0


SUCCEEDING_IBAN = "DE89370400440532013000"
FAILING_IBAN = "DE62370400440532013001"


def debit(shop, concert, iban: str) -> dict:
    tier = concert.ticket_types[0]
    created = shop.buy(concert.id, [{"ticket_type_id": tier.id, "quantity": 2}]).json()
    admin(shop, f"/sessions/{shop.session_id(created)}/debit", {"iban": iban})
    wait_for(lambda: delivered(shop), shop.db)
    waiting = state(db=shop.db, order_id=created["id"])
    assert waiting["status"] == "pending" and waiting["tickets"] == []  # the bank has not paid
    return created


def test_a_debit_that_succeeds_later_pays_the_order(shop, db, concert):
    created = debit(shop, concert, SUCCEEDING_IBAN)
    admin(shop, f"/sessions/{shop.session_id(created)}/settle")
    after = settles(db, created["id"], status="paid")
    assert after["status"] == "paid" and after["tickets"] == ["valid"] * 2
    assert after["payment"] == ("succeeded", 5000)


def test_a_debit_that_fails_later_releases_the_seats(shop, db, concert):
    created = debit(shop, concert, FAILING_IBAN)
    admin(shop, f"/sessions/{shop.session_id(created)}/settle")
    after = settles(db, created["id"], status="canceled")
    assert after["status"] == "canceled" and after["tickets"] == [] and after["payment"] is None
    # The stand-in records the delivery once the app has answered: after the commit seen above.
    wait_for(
        lambda: (
            shop.standin.events("checkout.session.async_payment_failed")[0]["delivery"]["status"]
            == "delivered"
        ),
        db,
    )
