"""Cash and bank transfers through the API: recorded, counted as manual, voided, never deleted."""

import pytest
from sqlalchemy import func, select

from tests.support import factories
from tests.support.web import bearer
from ticketing.orders.models import Order
from ticketing.payments.models import LedgerEntry, ManualPayment
from ticketing.tickets.models import Ticket

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


def post(client, shop, body, token=None):
    return client.post(
        f"/api/v1/events/{shop.event.id}/manual-payments",
        json=body,
        headers=bearer(token or shop.organizer_token),
    )


def totals(client, shop):
    url = f"/api/v1/events/{shop.event.id}/totals"
    return client.get(url, headers=bearer(shop.organizer_token)).get_json()


def test_cash_donation_is_recorded_and_counts_as_manual(client, shop, db):
    response = post(client, shop, {"kind": "donation", "method": "cash", "amount_minor": 5000,
                                   "note": "envelope at the bar"})  # fmt: skip

    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] == "donation" and body["amount_minor"] == 5000
    assert body["currency"] == "USD" and body["recorded_by_id"] == shop.organizer.user_id
    assert body["order_id"] is None and body["voided_at"] is None
    assert totals(client, shop)["manual_minor"] == 5000
    assert totals(client, shop)["raised_minor"] == 5000
    entry = db.session.execute(select(LedgerEntry)).scalar_one()
    assert (entry.kind, entry.amount_minor, entry.manual_payment_id) == ("manual", 5000, body["id"])


def test_door_tickets_are_a_paid_order_with_tickets_against_capacity(client, shop, db):
    body = {"kind": "tickets", "method": "cash", "ticket_type_id": shop.tier.id, "quantity": 3,
            "buyer_name": "Walk-in"}  # fmt: skip
    response = post(client, shop, body)

    assert response.status_code == 201
    body = response.get_json()
    assert body["amount_minor"] == 7500  # 3 x $25.00 when no amount is given
    assert len(body["ticket_codes"]) == 3
    order = db.session.get(Order, body["order_id"])
    assert (order.status, order.source, order.total_minor) == ("paid", "door", 7500)
    assert [(line.ticket_type_id, line.quantity) for line in order.lines] == [(shop.tier.id, 3)]
    codes = db.session.execute(select(Ticket.code).where(Ticket.order_id == order.id)).scalars()
    assert sorted(codes) == sorted(body["ticket_codes"])
    now = totals(client, shop)
    assert (now["manual_minor"], now["tickets_minor"], now["tickets_sold"]) == (7500, 0, 3)


def test_door_sale_beyond_capacity_is_refused_with_409(client, shop, db):
    small = factories.tier(shop.event, name="Balcony", price_minor=1000, capacity=2)
    db.session.commit()
    first = post(client, shop, {"kind": "tickets", "method": "cash", "ticket_type_id": small.id,
                                "quantity": 2})  # fmt: skip
    second = post(client, shop, {"kind": "tickets", "method": "cash", "ticket_type_id": small.id,
                                 "quantity": 1})  # fmt: skip

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.get_json()["code"] == "sold_out"
    assert db.session.execute(select(func.count()).select_from(ManualPayment)).scalar() == 1


def test_bad_input_gets_422_with_field_errors_and_changes_nothing(client, shop, db):
    foreign_event = factories.event(shop.org)
    foreign_tier = factories.tier(foreign_event)
    db.session.commit()
    cases = {
        "amount_minor": {"kind": "donation", "method": "cash"},
        "method": {"kind": "donation", "method": "crypto", "amount_minor": 100},
        "kind": {"kind": "gift", "method": "cash", "amount_minor": 100},
        "surprise": {"kind": "donation", "method": "cash", "amount_minor": 100, "surprise": 1},
        "quantity": {"kind": "tickets", "method": "cash", "ticket_type_id": shop.tier.id},
        "ticket_type_id": {"kind": "tickets", "method": "cash", "ticket_type_id": foreign_tier.id,
                           "quantity": 1},
    }  # fmt: skip
    cases["amount_minor_zero"] = {"kind": "donation", "method": "cash", "amount_minor": 0}
    cases["amount_minor_float"] = {"kind": "donation", "method": "cash", "amount_minor": 10.5}
    cases["amount_minor_huge"] = {"kind": "donation", "method": "cash", "amount_minor": 10**15}

    for field, body in cases.items():
        response = post(client, shop, body)
        assert response.status_code == 422, field
        assert (
            field.removesuffix("_zero").removesuffix("_float").removesuffix("_huge")
            in (response.get_json()["errors"])
        ), (field, response.get_json())
    assert db.session.execute(select(func.count()).select_from(LedgerEntry)).scalar() == 0


def test_void_appends_a_reversal_and_a_second_void_is_409(client, shop, db):
    created = post(client, shop, {"kind": "donation", "method": "bank_transfer",
                                  "amount_minor": 3000}).get_json()  # fmt: skip
    url = f"/api/v1/manual-payments/{created['id']}/void"

    voided = client.post(
        url, json={"reason": "counted twice"}, headers=bearer(shop.organizer_token)
    )
    again = client.post(url, json={"reason": "again"}, headers=bearer(shop.organizer_token))

    assert voided.status_code == 200
    assert voided.get_json()["void_reason"] == "counted twice"
    assert voided.get_json()["voided_by_id"] == shop.organizer.user_id
    assert again.status_code == 409 and again.get_json()["code"] == "already_voided"
    entries = db.session.execute(select(LedgerEntry).order_by(LedgerEntry.id)).scalars().all()
    assert [e.amount_minor for e in entries] == [3000, -3000]
    assert entries[1].reverses_id == entries[0].id
    assert totals(client, shop)["manual_minor"] == 0
    assert db.session.get(ManualPayment, created["id"]) is not None  # never deleted


def test_voiding_door_tickets_revokes_them_and_frees_the_seats(client, shop, db):
    small = factories.tier(shop.event, name="Balcony", price_minor=1000, capacity=2)
    db.session.commit()
    sale = post(client, shop, {"kind": "tickets", "method": "cash", "ticket_type_id": small.id,
                               "quantity": 2, "amount_minor": 1500}).get_json()  # fmt: skip

    voided = client.post(
        f"/api/v1/manual-payments/{sale['id']}/void",
        json={"reason": "wrong tier"},
        headers=bearer(shop.organizer_token),
    )

    assert voided.status_code == 200
    statuses = db.session.execute(select(Ticket.status).where(Ticket.order_id == sale["order_id"]))
    assert set(statuses.scalars()) == {"revoked"}
    assert db.session.get(Order, sale["order_id"]).status == "canceled"
    assert totals(client, shop)["tickets_sold"] == 0
    resold = post(client, shop, {"kind": "tickets", "method": "cash", "ticket_type_id": small.id,
                                 "quantity": 2})  # fmt: skip
    assert resold.status_code == 201


def test_manual_payment_api_is_for_organizers_of_the_event_only(client, shop):
    body = {"kind": "donation", "method": "cash", "amount_minor": 100}
    url = f"/api/v1/events/{shop.event.id}/manual-payments"

    assert client.post(url, json=body).status_code == 401
    assert post(client, shop, body, token=shop.door_token).status_code == 403
    assert post(client, shop, body, token=shop.other_token).status_code == 404
    created = post(client, shop, body).get_json()
    void_url = f"/api/v1/manual-payments/{created['id']}/void"
    rival = client.post(void_url, json={}, headers=bearer(shop.other_token))
    assert rival.status_code == 404
    assert totals(client, shop)["manual_minor"] == 100


def test_list_shows_voided_records_too(client, shop):
    first = post(
        client, shop, {"kind": "donation", "method": "cash", "amount_minor": 100}
    ).get_json()
    post(client, shop, {"kind": "donation", "method": "other", "amount_minor": 200})
    client.post(f"/api/v1/manual-payments/{first['id']}/void", json={"reason": "test"},
                headers=bearer(shop.organizer_token))  # fmt: skip

    listed = client.get(f"/api/v1/events/{shop.event.id}/manual-payments",
                        headers=bearer(shop.organizer_token)).get_json()  # fmt: skip

    assert [(p["amount_minor"], p["voided_at"] is not None) for p in listed] == [
        (200, False), (100, True),
    ]  # fmt: skip
