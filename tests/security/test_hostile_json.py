"""Hostile JSON bodies get a 400/422 with the API's error shape, never a 500.

Before: 1,000 nested brackets raised RecursionError inside webargs, and an
integer of more than 4,300 digits raised Python's int-conversion ValueError;
neither is a JSONDecodeError, so both escaped as 500s.
"""

import pytest

from tests.support.web import csrf_token, login_session
from tests.support.world import build_world
from ticketing.events.models import TicketType
from ticketing.orders.models import Order

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied

DEEP = "[" * 1000 + "]" * 1000
HUGE = "9" * 4301  # one digit past Python's int max str digits
AT_LIMIT = "9" * 4300  # parses, but no field may take it


@pytest.fixture
def world(db):
    """The integration tests' world: two organizations, tokens, a paid order."""
    return build_world(db)


def post_raw(client, path: str, body: str, headers: dict | None = None):
    return client.post(path, data=body, content_type="application/json", headers=headers or {})


def assert_api_error(response, *statuses):
    assert response.status_code in statuses, response.get_data()[:300]
    body = response.get_json()
    assert body["code"] and body["message"], body


def order_body(donation: str) -> str:
    return (
        '{"buyer_name": "Ada", "buyer_email": "ada@example.test", "items": [],'
        f' "donation_minor": {donation}}}'
    )


@pytest.mark.parametrize("body", [DEEP, '{"items": ' + DEEP + "}", "{" * 5000])
def test_deep_nesting_is_a_400(client, world, db, body):
    response = post_raw(client, f"/api/v1/events/{world.event.id}/orders", body)
    assert_api_error(response, 400)
    assert response.get_json()["code"] == "bad_request"
    assert db.session.query(Order).count() == 1  # the world's order only


def test_a_number_too_long_to_parse_is_a_400(client, world, db):
    response = post_raw(client, f"/api/v1/events/{world.event.id}/orders", order_body(HUGE))
    assert_api_error(response, 400)
    assert "number" in str(response.get_json()["errors"])
    assert db.session.query(Order).count() == 1


def test_a_number_at_the_parse_limit_is_a_422_field_error(client, world, db):
    response = post_raw(client, f"/api/v1/events/{world.event.id}/orders", order_body(AT_LIMIT))
    assert_api_error(response, 422)
    assert "donation_minor" in response.get_json()["errors"]


@pytest.mark.parametrize("body", [DEEP, '{"code": "X", "event_id": ' + HUGE + "}"])
def test_the_door_scan_refuses_them_too(client, world, body):
    response = post_raw(client, "/api/v1/checkins", body, world.bearer("door"))
    assert_api_error(response, 400)


def test_a_huge_event_id_at_the_door_is_a_field_error(client, world):
    body = '{"code": "X", "event_id": ' + AT_LIMIT + "}"
    response = post_raw(client, "/api/v1/checkins", body, world.bearer("door"))
    assert_api_error(response, 422)
    assert "event_id" in response.get_json()["errors"]


def test_a_refund_beyond_any_sane_amount_is_a_422(client, world, db):
    path = f"/api/v1/orders/{world.order.id}/refund"
    response = post_raw(
        client, path, '{"amount_minor": ' + AT_LIMIT + "}", world.bearer("organizer")
    )
    assert_api_error(response, 422)
    assert "amount_minor" in response.get_json()["errors"]
    response = post_raw(
        client, path, '{"amount_minor": 100000000000000000000}', world.bearer("organizer")
    )
    assert_api_error(response, 422)
    assert "amount_minor" in response.get_json()["errors"]


def test_a_cash_record_for_a_huge_tier_id_is_a_422(client, world):
    body = (
        '{"kind": "tickets", "method": "cash", "quantity": 1, "ticket_type_id": ' + "9" * 30 + "}"
    )
    path = f"/api/v1/events/{world.event.id}/manual-payments"
    response = post_raw(client, path, body, world.bearer("organizer"))
    assert_api_error(response, 422, 404)


def test_every_api_blueprint_uses_the_guarded_parser(app):
    from ticketing.schemas import GuardedJsonParser

    blueprints = [bp for bp in app.blueprints.values() if hasattr(bp, "ARGUMENTS_PARSER")]
    assert len(blueprints) >= 4
    for blueprint in blueprints:
        assert isinstance(blueprint.ARGUMENTS_PARSER, GuardedJsonParser), blueprint.name


def organizer_client(app, world):
    client = app.test_client()
    login_session(client, world.organizer.user_id)
    return client


def test_a_huge_event_number_on_the_door_page_is_no_event(app, world):
    client = organizer_client(app, world)
    for number in ("9" * 30, "9" * 5000, "-1", "0"):
        response = client.get(f"/door?event={number}")
        assert response.status_code == 200, number  # the event picker, or the one event
        assert "Benefit Night Secret" in response.get_data(as_text=True)


def test_a_huge_capacity_in_the_tier_form_is_a_field_error(app, world, db):
    client = organizer_client(app, world)
    path = f"/manage/events/{world.event.id}/tiers/new"
    form = {"csrf_token": csrf_token(client.get(path).data), "name": "Balcony", "price": "25"}
    response = client.post(path, data={**form, "capacity": "9" * 30, "max_per_order": "10"})
    assert response.status_code in (200, 422)
    assert "Number must be between" in response.get_data(as_text=True)
    assert db.session.query(TicketType).filter_by(name="Balcony").count() == 0


def test_a_value_too_large_for_sqlite_is_a_422_not_a_crash(make_app, db):
    app = make_app()

    @app.get("/overflow")
    def overflow():
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    response = app.test_client().get("/overflow", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert response.get_json()["code"] == "validation_error"
