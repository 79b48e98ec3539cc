"""ticketing.compiled_sql behaves the same on SQLite and PostgreSQL (make test runs both)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from tests.support import factories
from ticketing import compiled_sql
from ticketing.compiled_sql import MissingParameters
from ticketing.orders.models import Order

BUYER_ONLY = (
    insert(Order)
    .values(
        event_id=bindparam("event_id"),
        buyer_name=bindparam("buyer_name"),
        buyer_email=bindparam("buyer_email"),
        currency=bindparam("currency"),
        access_token_hash=bindparam("access_token_hash"),
    )
    .returning(Order.id, Order.status, Order.source, Order.created_at, Order.email_status)
)
BY_ID = select(Order.id, Order.buyer_name, Order.created_at).where(Order.id == bindparam("id"))
RENAME = update(Order).where(Order.id == bindparam("order_id")).values(buyer_name=bindparam("name"))
PENDING_BY_ID = select(Order.id).where(Order.id == bindparam("id"), Order.status == "pending")


@pytest.fixture
def concert(db):
    event = factories.event(factories.organization())
    db.session.flush()
    return event


def _buyer(concert, **extra) -> dict:
    return {
        "event_id": concert.id,
        "buyer_name": "Ada",
        "buyer_email": "ada@example.test",
        "currency": "USD",
        "access_token_hash": "",
        **extra,
    }


def test_a_column_left_out_gets_the_tables_default(db, concert):
    before = datetime.now(UTC)
    row = compiled_sql.first(BUYER_ONLY, _buyer(concert))

    assert (row.status, row.source, row.email_status) == ("pending", "online", "none")
    assert row.created_at.tzinfo is not None
    assert (
        before - timedelta(seconds=5) <= row.created_at <= datetime.now(UTC) + timedelta(seconds=5)
    )
    order = db.session.get(Order, row.id)
    assert (order.refunded_minor, order.needs_attention, order.attention_reason) == (0, False, "")


def test_a_callable_default_is_called_for_each_run(db, concert):
    first = compiled_sql.first(BUYER_ONLY, _buyer(concert))
    second = compiled_sql.first(BUYER_ONLY, _buyer(concert, buyer_email="bo@example.test"))

    assert second.id != first.id
    assert second.created_at >= first.created_at


def test_a_missing_parameter_is_named(db, concert):
    params = _buyer(concert)
    del params["buyer_email"], params["currency"]

    with pytest.raises(MissingParameters, match="buyer_email, currency"):
        compiled_sql.first(BUYER_ONLY, params)
    with pytest.raises(MissingParameters, match="id"):
        compiled_sql.first(BY_ID, {})


def test_a_naive_datetime_is_refused(db, concert):
    naive = datetime(2030, 1, 1, 12, 0)

    with pytest.raises(ValueError, match="naive datetime refused for 'created_at'"):
        compiled_sql.first(BUYER_ONLY, _buyer(concert, created_at=naive))
    assert db.session.scalar(select(Order.id)) is None


def test_an_aware_datetime_is_stored_and_read_back_in_utc(db, concert):
    istanbul = datetime(2030, 1, 1, 15, 0, tzinfo=UTC).astimezone(ZoneInfo("Europe/Istanbul"))
    row = compiled_sql.first(BUYER_ONLY, _buyer(concert, created_at=istanbul))

    read = compiled_sql.first(BY_ID, {"id": row.id})
    assert read.created_at == datetime(2030, 1, 1, 15, 0, tzinfo=UTC)
    assert read.created_at.utcoffset() == timedelta(0)


def test_execute_writes_and_returns_nothing(db, concert):
    row = compiled_sql.first(BUYER_ONLY, _buyer(concert))

    assert compiled_sql.execute(RENAME, {"order_id": row.id, "name": "Bo"}) is None
    assert compiled_sql.first(BY_ID, {"id": row.id}).buyer_name == "Bo"


def test_a_literal_in_the_statement_is_sent_with_it(db, concert):
    row = compiled_sql.first(BUYER_ONLY, _buyer(concert))

    assert compiled_sql.first(PENDING_BY_ID, {"id": row.id}).id == row.id
    compiled_sql.execute(
        text("UPDATE orders SET status = 'expired' WHERE id = :id"), {"id": row.id}
    )
    assert compiled_sql.first(PENDING_BY_ID, {"id": row.id}) is None


def test_no_row_is_none(db):
    assert compiled_sql.first(BY_ID, {"id": 123456}) is None


def test_a_database_error_comes_out_as_sqlalchemys(db, concert):
    with pytest.raises(IntegrityError):
        compiled_sql.first(BUYER_ONLY, _buyer(concert, event_id=987654))
