"""The benchmarks' floor endpoint exists only in the benchmark harness's app (bench/floor.py)."""

from bench import floor
from tests.support import factories
from ticketing.accounts.models import ApiToken


def test_no_floor_route_in_normal_operation(client, db):
    org = factories.organization()
    token = factories.token(org, "door")
    db.session.commit()

    response = client.post("/_bench/floor", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 404


def test_floor_checks_the_token_and_updates_one_row(make_app, db):
    app = floor.install(make_app())
    org = factories.organization()
    token = factories.token(org, "door")
    db.session.commit()
    client = app.test_client()

    assert client.post("/_bench/floor").status_code == 401
    response = client.post("/_bench/floor", headers={"Authorization": f"Bearer {token}"})

    assert response.get_json() == {"status": "ok"}
    assert db.session.query(ApiToken).one().last_used_at is not None
