"""The door finds Russian, Ukrainian and Turkish names however they are typed:
any case, Cyrillic or Latin (transliterated both ways), Turkish İ/ı; on
SQLite (whose lower() does not fold Cyrillic) as on PostgreSQL."""

import pytest

from tests.support import factories
from tests.support.door import settle
from ticketing.tickets.codes import new_code


@pytest.fixture
def guests(db, door) -> dict[str, str]:
    """Holder name -> ticket code, for a few names of the audience."""
    codes = {}
    for name, email in (
        ("Мария Петрова", "masha@example.test"),
        ("Anna Petrova", "anna@example.test"),
        ("İsmail Yıldız", "iy@example.test"),
        ("Олексій Шевченко", "oleksii@example.test"),
    ):
        order = factories.paid_order(door.event, [(door.tier, 1)], buyer=name)
        order.buyer_email = email
        codes[name] = factories.ticket(order, door.tier, new_code()).code
    settle(db)
    return codes


def found(client, door, q, token=None) -> set[str]:
    response = client.get(
        f"/api/v1/events/{door.event.id}/attendees",
        query_string={"q": q},
        headers=door.headers(token),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return {row["holder_name"] for row in response.get_json()}


@pytest.mark.parametrize("q", ["петрова", "ПЕТРОВА", "Петрова", "Petrova", "PETROVA", "petr"])
def test_cyrillic_name_is_found_in_any_case_and_in_latin(client, door, guests, q):
    assert found(client, door, q) == {"Мария Петрова", "Anna Petrova"}


def test_latin_name_is_found_by_its_cyrillic_spelling(client, door, guests):
    assert found(client, door, "Анна") == {"Anna Petrova"}
    assert found(client, door, "Мария") == {"Мария Петрова"}
    assert found(client, door, "mariya") == {"Мария Петрова"}


@pytest.mark.parametrize(
    "q", ["İsmail", "ısmail", "Ismail", "ISMAIL", "ismail", "yildiz", "YILDIZ"]
)
def test_turkish_dotted_and_dotless_i(client, door, guests, q):
    assert found(client, door, q) == {"İsmail Yıldız"}


def test_ukrainian_name_and_email_and_nothing_else(client, door, guests):
    assert found(client, door, "шевченко") == {"Олексій Шевченко"}
    assert found(client, door, "Shevchenko") == {"Олексій Шевченко"}
    # Emails are searched too (door staff do not see them in the answer).
    assert found(client, door, "OLEKSII@EXAMPLE") == {"Олексій Шевченко"}
    assert found(client, door, "Петров Иван") == set()
    assert found(client, door, "%") == set()


def test_results_come_in_folded_name_order(client, door, guests):
    response = client.get(
        f"/api/v1/events/{door.event.id}/attendees",
        query_string={"q": "a"},
        headers=door.headers(),
    )
    names = [row["holder_name"] for row in response.get_json()]
    # Every email holds an "a" ("example"): all five, Latin and Cyrillic sorted together.
    assert names == [
        "Ada Lovelace", "Anna Petrova", "İsmail Yıldız", "Мария Петрова", "Олексій Шевченко"
    ]  # fmt: skip
