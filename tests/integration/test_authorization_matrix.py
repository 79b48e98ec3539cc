"""Every endpoint and page against every kind of caller (see access_table.py).

The table must list every route of the URL map: a new route that is not in
it fails `test_the_table_lists_every_route`, so nobody adds an unprotected
endpoint silently.
"""

import pytest

from tests.integration.access_table import LOGIN, NOT_HERE, ROWS, Call
from tests.support.web import csrf_token, login_session
from tests.support.world import BUYER_EMAIL, World, build_world

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def routes(app) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in NOT_HERE
        for method in rule.methods - IGNORED_METHODS
    }


def test_the_table_lists_every_route(app):
    listed = {(row.endpoint, row.method) for row in ROWS.values()}
    missing = sorted(routes(app) - listed)
    assert not missing, f"routes with no row in tests/integration/access_table.py: {missing}"
    gone = sorted(listed - routes(app))
    assert not gone, f"rows for routes that no longer exist: {gone}"


def test_a_new_unlisted_route_is_caught(make_app):
    """The guard above works: a route added without a row shows up as missing."""
    app = make_app()
    app.add_url_rule("/sneaky", "sneaky", lambda: "no checks here", methods=["GET", "POST"])
    listed = {(row.endpoint, row.method) for row in ROWS.values()}
    assert routes(app) - listed == {("sneaky", "GET"), ("sneaky", "POST")}


def caller(app, world: World, role: str, page: bool):
    """A fresh test client (its own cookies) acting as `role`, and its headers."""
    client = app.test_client()
    headers = {}
    if role == "door_login":
        login_session(client, world.door.user_id)
    elif role in ("door", "bound") or (role in ("rival", "organizer") and not page):
        headers = world.bearer(role)
    elif role in ("rival", "organizer"):
        login_session(client, world.user_id(role))
    return client, headers


def send(client, headers: dict, call: Call, csrf_field: str):
    if call.form is not None:
        token = csrf_token(client.get("/login").data)
        data = {csrf_field: token, **call.form}
        return client.open(call.path, method=call.method, data=data, headers=headers)
    return client.open(
        call.path, method=call.method, json=call.json, headers={**headers, **call.headers}
    )


def check(row, role: str, response, world: World) -> None:
    expected = row.expect[role]
    where = f"{role} {row.method} {response.request.path}"
    if expected == LOGIN:
        assert response.status_code == 302, f"{where}: {response.status_code}"
        assert response.headers["Location"].startswith("/login"), where
    else:
        text = response.get_data()[:300]
        assert response.status_code == expected, f"{where}: {response.status_code} {text}"
    body = response.get_data(as_text=True) if response.mimetype.startswith(("text", "app")) else ""
    if response.request.path.startswith("/api/") and response.status_code >= 400:
        error = response.get_json()
        assert error["code"] and error["message"], where  # JSON errors, never a page
    if row.public:
        return
    if role in ("door", "door_login"):
        assert BUYER_EMAIL not in body, f"{where}: door staff saw a buyer's email"
    if role == "rival":
        leaked = [secret for secret in world.secrets if secret in body]
        assert not leaked, f"{where}: another organization saw {leaked}"


@pytest.mark.parametrize("label", list(ROWS))
def test_each_caller_gets_the_expected_answer(app, db, label):
    row = ROWS[label]
    world = build_world(db)
    for role in row.expect:
        client, headers = caller(app, world, role, row.page)
        call = row.build(world, role)
        response = send(client, headers, call, row.csrf_field)
        check(row, role, response, world)
