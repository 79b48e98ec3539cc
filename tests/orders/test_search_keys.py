"""Every write of a buyer's or holder's name sets its folded search key.

Read back with plain SQL from the database itself (both databases run this):
the online checkout (prebuilt SQL, ticketing/compiled_sql.py), a free order,
the door sale, tickets issued at payment and reissued, ORM rows, and a Core
INSERT that leaves the key out (the column's default computes it, also
through compiled_sql on PostgreSQL).
"""

import pytest
from sqlalchemy import bindparam, insert, text

from tests.support import factories as f
from ticketing import compiled_sql
from ticketing.orders.door import record_door_sale
from ticketing.orders.models import Order
from ticketing.orders.services import ItemRequest, create_order, mark_paid
from ticketing.search_text import fold, like_pattern, search_key
from ticketing.tickets.services import reissue_ticket

pytestmark = pytest.mark.rollback

NAME, EMAIL = "Мария Петрова", "Maria.Petrova@Example.TEST"
ORDER_KEY = "mariya petrova\nmaria.petrova@example.test"


def order_key(db, order_id: int) -> str:
    return db.session.execute(
        text("SELECT search_key FROM orders WHERE id = :id"), {"id": order_id}
    ).scalar_one()


def ticket_keys(db, order_id: int) -> list[str]:
    return list(
        db.session.execute(
            text("SELECT search_key FROM tickets WHERE order_id = :id ORDER BY id"),
            {"id": order_id},
        ).scalars()
    )


def test_folding_handles_cyrillic_turkish_and_latin_alike():
    assert {fold(s) for s in ("Петрова", "петрова", "ПЕТРОВА", "Petrova", " PETROVA ")} == {
        "petrova"
    }
    assert {fold(s) for s in ("İsmail", "ısmail", "Ismail", "ISMAIL", "ismail")} == {"ismail"}
    assert fold("Хмельницький") == "khmelnitskiy"  # soft signs dropped
    assert fold("Şükrü Çağlar Öztürk") == "sukru caglar ozturk"
    assert search_key(NAME, EMAIL) == ORDER_KEY
    assert like_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"
    assert like_pattern(" '' ") is None


def test_online_checkout_sets_the_key_through_the_prebuilt_insert(db, concert):
    tier = concert.ticket_types[0]
    hold = create_order(
        concert, buyer_name=f"  {NAME} ", buyer_email=EMAIL, items=[ItemRequest(tier.id, 2)]
    )
    assert order_key(db, hold.id) == ORDER_KEY
    order = db.session.get(Order, hold.id)
    mark_paid(order)  # fulfilment: the tickets are issued with the buyer's name
    assert ticket_keys(db, hold.id) == ["mariya petrova", "mariya petrova"]


def test_free_order_and_its_tickets_have_keys(db, org):
    event = f.event(org, currency="USD")
    free = f.tier(event, name="Free", price_minor=0, capacity=10)
    hold = create_order(
        event, buyer_name="İsmail Yılmaz", buyer_email="ismail@example.test",
        items=[ItemRequest(free.id, 1)],
    )  # fmt: skip
    assert hold.status == "paid"
    assert order_key(db, hold.id) == "ismail yilmaz\nismail@example.test"
    assert ticket_keys(db, hold.id) == ["ismail yilmaz"]


def test_door_sale_sets_the_keys_also_without_a_name(db, concert):
    tier = concert.ticket_types[0]
    named = record_door_sale(
        concert, ticket_type_id=tier.id, quantity=1, method="cash",
        buyer_name="Олена Коваль", buyer_email="",
    )  # fmt: skip
    anonymous = record_door_sale(concert, ticket_type_id=tier.id, quantity=1, method="cash")
    assert order_key(db, named.order_id) == "olena koval\n"
    assert ticket_keys(db, named.order_id) == ["olena koval"]
    assert order_key(db, anonymous.order_id) == "door sale\n"


def test_reissued_ticket_and_renamed_orm_rows_keep_their_keys(db, concert):
    tier = concert.ticket_types[0]
    order = f.paid_order(concert, [(tier, 1)], buyer="Юлия Щербакова")
    ticket = f.ticket(order, tier, "A" * 26)
    replacement = reissue_ticket(ticket)
    assert ticket_keys(db, order.id) == ["yuliya shcherbakova"] * 2
    assert replacement.search_key == "yuliya shcherbakova"
    order.buyer_name, order.buyer_email = "Ayşe Kaya", "ayse@example.test"
    replacement.holder_name = "Ayşe Kaya"
    db.session.flush()
    assert order_key(db, order.id) == "ayse kaya\nayse@example.test"
    assert ticket_keys(db, order.id)[-1] == "ayse kaya"


def test_an_insert_leaving_the_key_out_gets_it_from_the_names(db, concert):
    statement = (
        insert(Order)
        .values(
            event_id=bindparam("event_id"),
            buyer_name=bindparam("buyer_name"),
            buyer_email=bindparam("buyer_email"),
            currency=bindparam("currency"),
            access_token_hash=bindparam("access_token_hash"),
        )
        .returning(Order.id)
    )
    params = {"event_id": concert.id, "buyer_name": NAME, "buyer_email": EMAIL}
    row = compiled_sql.first(statement, {**params, "currency": "USD", "access_token_hash": "x"})
    assert order_key(db, row.id) == ORDER_KEY
