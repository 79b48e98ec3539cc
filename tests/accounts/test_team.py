"""The team page: members listed, added with a role, removed; role limits."""

import pytest
from sqlalchemy import select

from tests.support import factories
from tests.support.web import csrf_token, login, post_form
from ticketing.accounts.models import Membership

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


def add_member(client, **fields):
    data = {"name": "Dora Door", "email": "dora@example.test", "password": "long-enough-1"}
    return post_form(client, "/team", {**data, **fields})


def test_team_lists_only_our_members(client, team):
    login(client, "organizer@example.test")
    html = client.get("/team").get_data(as_text=True)
    for m in (team.owner, team.organizer, team.door):
        assert m.user.email in html
    assert "rival@example.test" not in html


def test_organizer_adds_a_door_member_who_can_log_in(app, client, team, db):
    login(client, "organizer@example.test")
    response = add_member(client, role="door")
    assert response.status_code == 302
    assert "dora@example.test" in client.get("/team").get_data(as_text=True)
    membership = db.session.execute(
        select(Membership)
        .join(Membership.user)
        .where(Membership.user.has(email="dora@example.test"))
    ).scalar_one()
    assert (membership.role, membership.organization_id) == ("door", team.org.id)

    newcomer = app.test_client()
    assert login(newcomer, "dora@example.test", "long-enough-1").status_code == 302


def test_only_an_owner_may_add_an_owner(app, client, team):
    login(client, "organizer@example.test")
    response = add_member(client, role="owner")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Only an owner may add another owner." in html
    assert 'value="dora@example.test"' in html  # the form keeps what was typed

    owner = app.test_client()
    login(owner, "owner@example.test")
    assert add_member(owner, role="owner").status_code == 302


def test_bad_member_input_shows_errors_next_to_fields(client, team):
    login(client, "organizer@example.test")
    response = add_member(client, email="not-an-email", password="short", role="door")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter an email address." in html and "Use at least 10 characters." in html

    taken = add_member(client, email="rival@example.test", role="door")
    assert taken.status_code == 422
    assert "This email already has an account." in taken.get_data(as_text=True)


def test_remove_a_member_revokes_their_tokens(client, team, db):
    plain = factories.token(team.org, "door")
    holder = db.session.execute(
        select(Membership).order_by(Membership.id.desc()).limit(1)
    ).scalar_one()
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    event = factories.event(team.org, published=False)
    db.session.commit()
    assert client.get(f"/api/v1/events/{event.id}", headers=headers).status_code == 200

    login(client, "organizer@example.test")
    response = post_form(client, f"/team/{holder.id}/remove", {}, page_url="/team")
    assert response.status_code == 302
    assert holder.user.email not in client.get("/team").get_data(as_text=True)
    # Their token no longer sees the organization's draft event.
    assert client.get(f"/api/v1/events/{event.id}", headers=headers).status_code == 404


def test_cannot_remove_yourself_and_organizer_cannot_remove_owner(client, team, db):
    login(client, "organizer@example.test")
    mine = post_form(client, f"/team/{team.organizer.id}/remove", {}, page_url="/team")
    assert mine.status_code == 302
    assert "You cannot remove yourself." in client.get("/team").get_data(as_text=True)
    post_form(client, f"/team/{team.owner.id}/remove", {}, page_url="/team")
    assert "Only an owner may remove an owner." in client.get("/team").get_data(as_text=True)
    ids = set(db.session.execute(select(Membership.id)).scalars())
    assert {team.organizer.id, team.owner.id} <= ids


def test_another_organizations_member_is_404(client, team, db):
    login(client, "organizer@example.test")
    response = post_form(client, f"/team/{team.other_organizer.id}/remove", {}, page_url="/team")
    assert response.status_code == 404
    assert db.session.get(Membership, team.other_organizer.id) is not None


def test_door_staff_cannot_open_the_team_page(client, team):
    login(client, "door@example.test")
    assert client.get("/team").status_code == 403
    assert client.get("/tokens").status_code == 403


def test_team_form_without_csrf_is_refused(client, team, db):
    login(client, "organizer@example.test")
    client.get("/team")
    response = client.post(
        "/team",
        data={"name": "X", "email": "x@example.test", "password": "long-enough-1", "role": "door"},
    )
    assert response.status_code == 400
    assert "x@example.test" not in client.get("/team").get_data(as_text=True)
    assert csrf_token(client.get("/team").data)
