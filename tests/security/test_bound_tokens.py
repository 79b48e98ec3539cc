"""Issue 13, finding 3: an event-bound token (or a device link's token) must
not reach the organization's team and tokens."""

import pytest
from sqlalchemy import func, select

from tests.support.web import csrf_token
from tests.support.world import build_world
from ticketing.accounts.models import ApiToken, Membership, User

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


def counts(db) -> tuple[int, int, int]:
    db.session.commit()
    return tuple(
        db.session.execute(select(func.count()).select_from(model)).scalar()
        for model in (ApiToken, User, Membership)
    )


@pytest.fixture
def world(db):
    return build_world(db)


def attack(client, token: str, path: str, form: dict):
    """What the attacker did: a CSRF token from the login page, then the form with Bearer."""
    data = {"csrf_token": csrf_token(client.get("/login").data), **form}
    return client.post(path, data=data, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("which", ["bound_token", "device_token"])
def test_a_bound_token_cannot_mint_an_organization_token(client, db, world, which):
    before = counts(db)
    response = attack(
        client, getattr(world, which), "/tokens", {"name": "x", "role": "organizer", "event_id": ""}
    )
    assert response.status_code == 403
    assert "tkt_" not in response.get_data(as_text=True)
    assert counts(db) == before


@pytest.mark.parametrize("which", ["bound_token", "device_token"])
def test_a_bound_token_cannot_add_a_team_member(client, db, world, which):
    before = counts(db)
    form = {"name": "Mallory", "email": "mallory@evil.test", "password": "long-enough-1",
            "role": "organizer"}  # fmt: skip
    response = attack(client, getattr(world, which), "/team", form)
    assert response.status_code == 403
    assert counts(db) == before
    assert db.session.execute(select(User).where(User.email == "mallory@evil.test")).first() is None


def test_a_bound_token_cannot_revoke_or_list_the_organizations_tokens(client, db, world):
    headers = {"Authorization": f"Bearer {world.bound_token}"}
    listing = client.get("/tokens", headers=headers)
    assert listing.status_code == 403 and "spare" not in listing.get_data(as_text=True)
    response = attack(client, world.bound_token, f"/tokens/{world.spare_token_id}/revoke", {})
    assert response.status_code == 403
    db.session.commit()
    assert db.session.get(ApiToken, world.spare_token_id).revoked_at is None


def test_the_bound_token_still_works_for_its_own_event(client, db, world):
    headers = {"Authorization": f"Bearer {world.bound_token}"}
    response = client.get(f"/api/v1/events/{world.event.id}/totals", headers=headers)
    assert response.status_code == 200 and response.get_json()["currency"] == "USD"
