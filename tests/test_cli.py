"""The command-line contract: seed-demo, create-token, expire-holds."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.support import factories as f
from ticketing.accounts.auth import principal_from_token
from ticketing.accounts.models import ApiToken, Membership, Organization, User
from ticketing.database import utcnow
from ticketing.events.models import Event, TicketType
from ticketing.orders.models import Order

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied

CONTRACT_KEYS = {
    "organizer_email",
    "organizer_password",
    "organizer_token",
    "door_token",
    "event_id",
}


@pytest.fixture
def dev_runner(app, runner):
    """seed-demo runs only in development (tests/security/test_ledger_and_demo.py)."""
    app.config["APP_ENV"] = "development"
    return runner


def _counts(db):
    return {
        model.__name__: db.session.execute(select(func.count()).select_from(model)).scalar()
        for model in (Organization, User, Membership, ApiToken, Event, TicketType)
    }


def test_seed_demo_json_prints_the_contract_keys(dev_runner, db):
    result = dev_runner.invoke(args=["seed-demo", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output.strip().splitlines()[-1])
    assert set(data) == CONTRACT_KEYS
    event = db.session.get(Event, data["event_id"])
    assert event.published and event.timezone == "Europe/Istanbul" and event.goal_minor > 0
    assert len(event.ticket_types) == 3
    assert sum(t.pay_what_you_want for t in event.ticket_types) == 1
    # The demo shows paying without a card: reserve for the door or by transfer.
    assert event.payment_methods == ["card", "door", "transfer"]
    assert "IBAN" in event.transfer_instructions and event.unpaid_seats_cap > 0
    organizer = principal_from_token(data["organizer_token"])
    door = principal_from_token(data["door_token"])
    assert organizer.role == "organizer" and door.role == "door"
    assert organizer.organization_id == door.organization_id == event.organization_id
    assert organizer.event_id is None and door.event_id is None


def test_seed_demo_twice_duplicates_nothing(dev_runner, db):
    first = dev_runner.invoke(args=["seed-demo", "--json"])
    counts = _counts(db)
    second = dev_runner.invoke(args=["seed-demo", "--json"])
    assert second.exit_code == 0, second.output
    assert _counts(db) == counts
    assert counts["Event"] == 1 and counts["TicketType"] == 3 and counts["User"] == 2
    assert first.output.splitlines()[-1] == second.output.splitlines()[-1]


def test_seed_demo_prints_how_to_log_in(dev_runner, db):
    result = dev_runner.invoke(args=["seed-demo"])
    assert "organizer@demo.test" in result.output and "/events/" in result.output


def test_create_token_prints_a_working_token(runner, db):
    org = f.organization()
    membership = f.member(org, "organizer", email="ola@example.test")
    ev = f.event(org)
    db.session.commit()
    result = runner.invoke(
        args=[
            "create-token",
            "--email",
            "ola@example.test",
            "--role",
            "door",
            "--event",
            str(ev.id),
        ]
    )
    assert result.exit_code == 0, result.output
    principal = principal_from_token(result.output.strip())
    assert principal.role == "door" and principal.event_id == ev.id
    assert principal.user_id == membership.user_id
    stored = db.session.execute(select(ApiToken.token_hash)).scalars().all()
    assert result.output.strip() not in stored  # only the hash is kept


def test_create_token_for_unknown_user_fails_clearly(runner, db):
    result = runner.invoke(args=["create-token", "--email", "nobody@x.test", "--role", "door"])
    assert result.exit_code != 0
    assert "No user" in result.output


def test_door_member_cannot_get_an_organizer_token(runner, db):
    org = f.organization()
    f.member(org, "door", email="door@example.test")
    db.session.commit()
    result = runner.invoke(
        args=["create-token", "--email", "door@example.test", "--role", "organizer"]
    )
    assert result.exit_code != 0
    assert db.session.execute(select(func.count()).select_from(ApiToken)).scalar() == 0


def test_expire_holds_releases_only_lapsed_holds(runner, db):
    org = f.organization()
    ev = f.event(org)
    t = f.tier(ev)
    lapsed = f.paid_order(ev, [(t, 1)])
    lapsed.status, lapsed.expires_at = "pending", utcnow() - timedelta(minutes=1)
    live = f.paid_order(ev, [(t, 1)])
    live.status, live.expires_at = "pending", utcnow() + timedelta(minutes=10)
    db.session.commit()
    result = runner.invoke(args=["expire-holds"])
    assert "Released 1" in result.output
    db.session.expire_all()
    assert db.session.get(Order, lapsed.id).status == "expired"
    assert db.session.get(Order, live.id).status == "pending"
