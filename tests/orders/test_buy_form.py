"""The HTML buy form loads through the API's OrderCreateSchema: one set of rules."""

from tests.support import factories as f
from ticketing.orders.forms import parse_buy_form
from ticketing.schemas import CONTROL_MESSAGE


def _event(db):
    event = f.event(f.organization())
    fixed = f.tier(event, capacity=500)
    free_price = f.tier(event, pay_what_you_want=True, min_price_minor=0)
    db.session.commit()
    return event, fixed, free_price


def test_a_valid_form_gives_the_request(db):
    event, fixed, pwyw = _event(db)
    form = parse_buy_form(
        {
            f"qty_{fixed.id}": "2",
            f"qty_{pwyw.id}": "1",
            f"price_{pwyw.id}": "12.50",
            "donation": "5",
            "buyer_name": " Ada ",
            "buyer_email": "ada@example.test",
        },
        event,
    )
    assert form.errors == {}
    assert [(i.ticket_type_id, i.quantity, i.price_minor) for i in form.items] == [
        (fixed.id, 2, None),
        (pwyw.id, 1, 1250),
    ]
    assert form.donation_minor == 500


def test_the_apis_limits_show_on_the_form_fields(db):
    event, fixed, _ = _event(db)
    form = parse_buy_form(
        {
            f"qty_{fixed.id}": "101",  # the API's OrderItemSchema allows 1 to 100
            "donation": "9999999999",  # more than MAX_MINOR
            "buyer_name": "",
            "buyer_email": "not an email",
        },
        event,
    )
    assert set(form.errors) == {f"qty_{fixed.id}", "donation", "buyer_name", "buyer_email"}
    assert "100" in form.errors[f"qty_{fixed.id}"]
    assert form.errors["buyer_name"] == "Tell us your name (it goes on the tickets)."
    assert form.errors["buyer_email"] == "Enter the email address your tickets go to."


def test_control_characters_are_named_on_their_field(db):
    event, fixed, _ = _event(db)
    form = parse_buy_form(
        {
            f"qty_{fixed.id}": "1",
            "buyer_name": "Ada\r\nBcc: x@evil.test",
            "buyer_email": "a@b.test",
        },
        event,
    )
    assert form.errors == {"buyer_name": CONTROL_MESSAGE}
