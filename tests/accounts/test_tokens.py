"""The API tokens page: a new token is shown once, is limited to its creator's
role and organization, works on the API, and stops working when revoked."""

import re

import pytest
from sqlalchemy import select

from tests.support import factories
from tests.support.web import login, post_form
from ticketing.accounts.models import ApiToken

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


def create_token(client, **fields):
    return post_form(client, "/tokens", {"name": "scanner tablet", "role": "door", **fields})


def plain_token(response) -> str:
    match = re.search(r'<code class="plain-token" id="plain-token">([^<]+)</code>', response.text)
    assert match, "the new token is not on the page"
    return match.group(1)


def test_new_token_is_shown_once_and_works_until_revoked(client, team, db):
    event = factories.event(team.org, published=False)
    db.session.commit()
    login(client, "organizer@example.test")
    response = create_token(client, role="organizer", name="box office script")
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    plain = plain_token(response)
    assert "shown <strong>only once</strong>" in response.text

    listing = client.get("/tokens").get_data(as_text=True)
    assert plain not in listing
    assert plain[:12] in listing and "box office script" in listing
    row = db.session.execute(
        select(ApiToken).where(ApiToken.name == "box office script")
    ).scalar_one()
    assert plain not in (row.token_hash, row.prefix) and row.role == "organizer"

    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get(f"/api/v1/events/{event.id}", headers=headers).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at is not None
    assert "never" not in client.get("/tokens").get_data(as_text=True).split(plain[:12])[1][:400]

    revoked = post_form(client, f"/tokens/{row.id}/revoke", {}, page_url="/tokens")
    assert revoked.status_code == 302
    body = {"name": "x", "starts_at": "2027-01-01T19:00:00+03:00", "timezone": "Europe/Istanbul"}
    body |= {"venue": "Hall", "currency": "EUR"}
    answer = client.post("/api/v1/events", json=body, headers=headers)
    assert answer.status_code == 401
    assert answer.get_json()["code"] == "unauthorized"


def test_token_role_never_above_its_creator(client, team, db):
    login(client, "organizer@example.test")
    page = client.get("/tokens").get_data(as_text=True)
    assert '<option value="owner"' not in page
    response = create_token(client, role="owner")
    assert response.status_code == 422
    assert "Not a valid choice" in response.text
    assert db.session.execute(select(ApiToken)).first() is None


def test_owner_may_create_an_owner_token(client, team, db):
    login(client, "owner@example.test")
    response = create_token(client, role="owner")
    assert response.status_code == 201
    assert db.session.execute(select(ApiToken.role)).scalar_one() == "owner"


def test_event_bound_token_only_for_our_events(client, team, db):
    ours = factories.event(team.org, published=False)
    theirs = factories.event(team.other_org, published=False)
    second = factories.event(team.org, published=False)
    db.session.commit()
    login(client, "organizer@example.test")
    page = client.get("/tokens").get_data(as_text=True)
    assert ours.name in page and theirs.name not in page

    refused = create_token(client, event_id=str(theirs.id))
    assert refused.status_code == 422
    response = create_token(client, role="organizer", event_id=str(ours.id))
    assert response.status_code == 201
    headers = {"Authorization": f"Bearer {plain_token(response)}"}
    assert client.get(f"/api/v1/events/{ours.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/events/{second.id}", headers=headers).status_code == 404


def test_revoking_another_organizations_token_is_404(client, team, db):
    factories.token(team.other_org, "organizer")
    db.session.commit()
    theirs = db.session.execute(select(ApiToken)).scalar_one()
    login(client, "organizer@example.test")
    response = post_form(client, f"/tokens/{theirs.id}/revoke", {}, page_url="/tokens")
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, theirs.id).revoked_at is None
    assert theirs.prefix not in client.get("/tokens").get_data(as_text=True)
