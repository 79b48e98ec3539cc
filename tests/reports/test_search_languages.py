"""The dashboard's order search finds Russian, Ukrainian and Turkish buyers
however they are typed (case, Cyrillic or Latin, Turkish İ/ı), on both databases."""

import re

import pytest

from tests.support.money import card_order
from tests.support.web import login_as

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


@pytest.fixture
def buyers(shop, db) -> dict[str, int]:
    orders = {
        name: card_order(shop.event, shop.tier, 1, buyer=name, email=email).id
        for name, email in (
            ("Мария Петрова", "m@example.test"),
            ("Olga Petrova", "olga@example.test"),
            ("İsmail Yıldız", "iy@example.test"),
            ("Богдан Ткаченко", "bt@example.test"),
        )
    }
    db.session.commit()
    return orders


def found(client, shop, query) -> set[int]:
    url = f"/manage/events/{shop.event.id}/dashboard"
    html = client.get(url, query_string={"q": query}).get_data(as_text=True)
    section = html[html.index('id="orders"') :]
    return {int(n) for n in re.findall(r"/manage/orders/(\d+)", section)}


def test_order_search_folds_case_script_and_turkish_i(client, shop, buyers):
    login_as(client, shop.organizer.user)
    petrovas = {buyers["Мария Петрова"], buyers["Olga Petrova"]}
    for query in ("петрова", "ПЕТРОВА", "Petrova", "petrova"):
        assert found(client, shop, query) == petrovas, query
    assert found(client, shop, "Ольга") == {buyers["Olga Petrova"]}
    for query in ("İsmail", "ısmail", "Ismail", "ISMAIL", "YILDIZ"):
        assert found(client, shop, query) == {buyers["İsmail Yıldız"]}, query
    assert found(client, shop, "tkachenko") == {buyers["Богдан Ткаченко"]}
    assert found(client, shop, "BT@EXAMPLE") == {buyers["Богдан Ткаченко"]}
    assert found(client, shop, "100%") == set()
