"""The dashboard's open reservations (paid by reference) and the door's cash boxes."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.support import factories
from tests.support.reservations import reserved_order
from tests.support.web import csrf_token, login_as
from ticketing.accounts.auth import Principal
from ticketing.accounts.services import issue_token
from ticketing.checkin import door_sales
from ticketing.checkin.services import ScanRequest
from ticketing.events.totals import event_totals
from ticketing.orders import reservations
from ticketing.payments.models import CashBoxClosing, ManualPayment

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


def dashboard(client, shop) -> str:
    response = client.get(f"/manage/events/{shop.event.id}/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(html: str, anchor: str) -> str:
    return html.split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0]


def post(client, shop, path: str, form: dict, csrf: str):
    html = dashboard(client, shop)
    data = {csrf: csrf_token(html, csrf), **form}
    return client.post(f"/manage/events/{shop.event.id}/{path}", data=data)


def test_open_reservations_are_listed_with_deadline_in_the_event_time_zone(client, shop, db):
    deadline = datetime(2031, 3, 5, 18, 30, tzinfo=UTC)  # 21:30 in Istanbul
    reserved_order(shop.event, [(shop.tier, 2)], buyer="Olena Koval", reference="TR-7QX2",
                   method="transfer", deadline=deadline)  # fmt: skip
    lapsed = datetime.now(UTC) - timedelta(hours=1)
    reserved_order(shop.event, [(shop.tier, 1)], buyer="Gone Late", deadline=lapsed)
    login_as(client, shop.organizer.user)
    html = section(dashboard(client, shop), "reservations")
    assert "TR-7QX2" in html and "Olena Koval" in html
    assert "$50.00" in html and "5 Mar, 21:30" in html
    assert "Gone Late" not in html


def test_a_transfer_recorded_by_reference_counts_when_received(client, shop, db):
    order = reserved_order(shop.event, [(shop.tier, 2)], reference="TR-ABCD", method="transfer")
    login_as(client, shop.organizer.user)
    assert event_totals(shop.event)["manual_minor"] == 0

    form = {"reservation-reference": " tr-abcd ", "reservation-amount": "20",
            "reservation-method": "bank_transfer"}  # fmt: skip
    response = post(client, shop, "reservation-payments", form, "reservation-csrf_token")
    assert response.status_code == 302
    assert (order.status, order.paid_minor, order.amount_due_minor) == ("reserved", 2000, 3000)
    assert event_totals(shop.event)["manual_minor"] == 2000

    form["reservation-amount"] = "30"
    assert (
        post(client, shop, "reservation-payments", form, "reservation-csrf_token").status_code
        == 302
    )
    assert order.status == "paid"
    assert event_totals(shop.event)["manual_minor"] == 5000
    methods = db.session.execute(select(ManualPayment.method, ManualPayment.reference)).all()
    assert methods == [("bank_transfer", "tr-abcd"), ("bank_transfer", "tr-abcd")]


def test_wrong_reference_or_too_much_is_shown_on_the_form_and_changes_nothing(client, shop, db):
    reserved_order(shop.event, [(shop.tier, 1)], reference="TR-ONE1")
    login_as(client, shop.organizer.user)
    for reference, amount, error in (
        ("TR-NOPE", "10", "No reservation of this event has that reference."),
        ("TR-ONE1", "25.01", "That is more than the order owes."),
        ("TR-ONE1", "abc", "Enter an amount"),
    ):
        form = {"reservation-reference": reference, "reservation-amount": amount,
                "reservation-method": "cash"}  # fmt: skip
        response = post(client, shop, "reservation-payments", form, "reservation-csrf_token")
        assert response.status_code == 422
        assert error in response.get_data(as_text=True)
    missing_csrf = client.post(
        f"/manage/events/{shop.event.id}/reservation-payments",
        data={"reservation-reference": "TR-ONE1", "reservation-amount": "25",
              "reservation-method": "cash"},
    )  # fmt: skip
    assert missing_csrf.status_code in (400, 422)
    assert db.session.execute(select(ManualPayment)).first() is None


def door_cash(shop, db):
    """A volunteer logged in collects a reservation; a device link sells two tickets."""
    volunteer = Principal(shop.door.user_id, shop.org.id, "door")
    device_token, _ = issue_token(shop.door, "door", event_id=shop.event.id, name="Phone A")
    device = Principal(shop.door.user_id, shop.org.id, "door", shop.event.id, device_token.id)
    order = reserved_order(shop.event, [(shop.tier, 3)])
    reservations.receive_payment(order.id, amount_minor=7500, method="cash", exact=True,
                                 recorded_by_id=volunteer.user_id)  # fmt: skip
    sale = ScanRequest(code="", event_id=shop.event.id)
    door_sales.sell_and_admit(device, shop.event, sale, ticket_type_id=shop.tier.id, quantity=2)
    # Cash an organizer records as a donation is theirs, not a door box's.
    factories.tier(shop.event)
    db.session.flush()
    return device_token


def test_cash_boxes_show_each_volunteer_and_device_and_close_with_the_difference(client, shop, db):
    device_token = door_cash(shop, db)
    login_as(client, shop.organizer.user)
    html = dashboard(client, shop)
    assert f'data-box="u{shop.door.user_id}"' in html
    assert f'data-box="t{device_token.id}"' in html
    assert "$75.00" in html and "$50.00" in html and "device: Phone A" in html

    form = {"close-box": f"u{shop.door.user_id}", "close-counted": "70", "close-note": "short"}
    assert post(client, shop, "cash-boxes/close", form, "close-csrf_token").status_code == 302
    form = {"close-box": f"u{shop.door.user_id}", "close-counted": "75"}
    assert post(client, shop, "cash-boxes/close", form, "close-csrf_token").status_code == 302
    form = {"close-box": f"t{device_token.id}", "close-counted": "0"}
    assert post(client, shop, "cash-boxes/close", form, "close-csrf_token").status_code == 302

    rows = db.session.execute(select(CashBoxClosing).order_by(CashBoxClosing.id)).scalars().all()
    summary = [(r.user_id, r.token_id, r.expected_minor, r.counted_minor, r.difference_minor)
               for r in rows]  # fmt: skip
    assert summary == [
        (shop.door.user_id, None, 7500, 7000, -500),
        (shop.door.user_id, None, 7500, 7500, 0),  # the re-count is a new row
        (shop.door.user_id, device_token.id, 5000, 0, -5000),  # the device, its owner
    ]
    assert all(r.closed_by_id == shop.organizer.user_id for r in rows)
    html = dashboard(client, shop)
    assert "difference -$50.00" in html and "difference $0.00" in html


def test_a_closing_is_never_edited(shop, db):
    door_cash(shop, db)
    from ticketing.payments import cash_boxes

    (box, *_) = cash_boxes.boxes(shop.event)
    closing = cash_boxes.close(
        shop.event, box, counted_minor=1, closed_by_id=shop.organizer.user_id
    )
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(
            text("UPDATE cash_box_closings SET counted_minor = 0 WHERE id = :id"),
            {"id": closing.id},
        )


def test_bad_counts_and_unknown_boxes_are_refused(client, shop, db):
    door_cash(shop, db)
    login_as(client, shop.organizer.user)
    volunteer = f"u{shop.door.user_id}"
    nobody = f"u{shop.organizer.user_id}"  # took no door cash: no box
    tries = [(volunteer, "-5"), (volunteer, "x"), ("u999999", "10"), ("t", "10"), (nobody, "1")]
    for box, counted in tries:
        form = {"close-box": box, "close-counted": counted}
        response = post(client, shop, "cash-boxes/close", form, "close-csrf_token")
        assert response.status_code == 422, (box, counted)
    assert db.session.execute(select(CashBoxClosing)).first() is None


def test_door_staff_get_no_dashboard_nor_cash_box(client, shop, db):
    door_cash(shop, db)
    login_as(client, shop.door.user)
    response = client.get(f"/manage/events/{shop.event.id}/dashboard")
    assert response.status_code == 403
