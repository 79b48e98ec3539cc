"""marshmallow's own field errors, bounds and choices included, come out in the
request's language (the codes stay English)."""

import re
from pathlib import Path

from tests.support import factories as f
from tests.support.web import bearer


def refused(answer) -> dict:
    assert answer.status_code == 422, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["code"] == "validation_error"
    return body["errors"]


def test_an_order_with_bad_fields_is_refused_in_russian(client, concert):
    tier = concert.ticket_types[0]
    errors = refused(
        client.post(
            f"/api/v1/events/{concert.id}/orders?lang=ru",
            json={
                "buyer_name": "",
                "buyer_email": "петрова",
                "items": [{"ticket_type_id": tier.id, "quantity": 0}],
                "locale": "de",
            },
        )
    )
    assert errors["buyer_name"] == ["Длина должна быть от 1 до 200."]
    assert errors["buyer_email"] == ["Это не адрес электронной почты."]
    assert errors["items"] == {"0": {"quantity": ["Должно быть от 1 до 100."]}}
    assert errors["locale"] == ["Допустимые значения: en, ru, uk, tr."]


def test_an_event_with_bad_fields_is_refused_in_ukrainian(client, db, org):
    _, token = f.accounts.issue_token(f.member(org, "organizer"), "organizer")
    db.session.commit()
    answer = client.post(
        "/api/v1/events",
        headers={**bearer(token), "Accept-Language": "uk"},
        json={
            "name": "Вечір" * 50,
            "starts_at": "2027-02-01T19:00:00",
            "timezone": "Europe/Istanbul",
            "venue": "Зал",
            "currency": "TRY",
            "goal_minor": -1,
            "default_locale": "de",
            "translations": ["ru"],
        },
    )
    errors = refused(answer)
    assert errors["name"] == ["Довжина має бути від 1 до 200."]
    assert errors["starts_at"] == [
        "Потрібні дата й час зі зміщенням від UTC, наприклад 2026-12-26T19:30:00+03:00."
    ]
    assert errors["goal_minor"] == [
        "Сума має бути не менше нуля (і не більше 2147483647 у найменших одиницях валюти)."
    ]
    assert errors["default_locale"] == ["Допустимі значення: en, ru, uk, tr."]
    assert errors["translations"] == ["Це не об’єкт JSON."]


def test_a_tier_and_a_scan_with_bad_fields_are_refused_in_turkish(client, db, org, concert):
    _, token = f.accounts.issue_token(f.member(org, "organizer"), "organizer")
    db.session.commit()
    turkish = {**bearer(token), "Accept-Language": "tr-TR,tr;q=0.9"}
    tier = client.post(
        f"/api/v1/events/{concert.id}/ticket-types",
        headers=turkish,
        json={"name": "Balkon", "price_minor": 1000, "capacity": -5, "max_per_order": "çok"},
    )
    errors = refused(tier)
    assert errors["capacity"] == ["Sayı 0 ile 2147483647 arasında olmalı."]
    assert errors["max_per_order"] == ["Geçerli bir tam sayı değil."]
    scan = client.post(
        "/api/v1/checkins",
        headers=turkish,
        json={"code": "", "nonce": "a b", "gate": "K" * 101},
    )
    errors = refused(scan)
    assert errors["code"] == ["Uzunluk 1 ile 200 arasında olmalı."]
    assert errors["nonce"] == ["Yalnızca yazdırılabilir ASCII karakterleri kullanın, boşluksuz."]
    assert errors["gate"] == ["Çok uzun; uzunluk en fazla 100 olmalı."]


def test_english_stays_marshmallows_own(client, concert):
    errors = refused(
        client.post(f"/api/v1/events/{concert.id}/orders?lang=en", json={"buyer_name": ""})
    )
    assert errors["buyer_name"] == ["Length must be between 1 and 200."]


def test_schemas_take_their_validators_from_ticketing_validate():
    """marshmallow's own would answer in English whatever the request's language."""
    root = Path(__file__).resolve().parents[2] / "ticketing"
    direct = re.compile(r"from marshmallow import [^\n]*\bvalidate\b|marshmallow\.validate")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "validate.py" and direct.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
