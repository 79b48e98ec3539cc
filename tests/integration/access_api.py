"""Rows of the access table for the JSON API: see access_rules.py."""

from tests.integration.access_rules import (
    NEW_EVENT,
    ORG_WIDE,
    Call,
    Row,
    api,
    batch_body,
    ev,
    free_order,
    get,
    post_json,
    public,
    same_for_all,
    scan_body,
)

API_ROWS = {
    # The API: 401 without a token.
    "create event": api(
        "events_api.Events",
        "POST",
        post_json(lambda w: "/api/v1/events", NEW_EVENT),
        anonymous=401,
        door=403,
        rival=201,
        organizer=201,
        bound=ORG_WIDE,
    ),
    "read event": public("events_api.EventResource", "GET", get(ev), is_page=False),
    "read draft event": api(
        "events_api.EventResource",
        "GET",
        get(lambda w: f"/api/v1/events/{w.draft.id}"),
        anonymous=404,
        door=200,
        rival=404,
        organizer=200,
        bound=404,
    ),
    "edit event": api(
        "events_api.EventResource",
        "PATCH",
        lambda w, role: Call("PATCH", ev(w), json={"venue": "Bigger hall"}),
        anonymous=401,
        door=403,
        rival=404,
        organizer=200,
    ),
    "list tiers": public(
        "events_api.TicketTypes", "GET", get(lambda w: ev(w) + "/ticket-types"), is_page=False
    ),
    "add tier": api(
        "events_api.TicketTypes",
        "POST",
        post_json(
            lambda w: ev(w) + "/ticket-types", {"name": "VIP", "price_minor": 9000, "capacity": 10}
        ),
        anonymous=401,
        door=403,
        rival=404,
        organizer=201,
    ),
    "read tier": public(
        "events_api.TicketTypeResource",
        "GET",
        get(lambda w: f"{ev(w)}/ticket-types/{w.tier.id}"),
        is_page=False,
    ),
    "edit tier": api(
        "events_api.TicketTypeResource",
        "PATCH",
        lambda w, role: Call("PATCH", f"{ev(w)}/ticket-types/{w.tier.id}", json={"capacity": 150}),
        anonymous=401,
        door=403,
        rival=404,
        organizer=200,
    ),
    "place order (free)": Row(
        "orders_api.EventOrders",
        "POST",
        post_json(lambda w: ev(w) + "/orders", free_order),
        same_for_all(201, False),
        public=True,
    ),
    "read order (buyer token)": Row(
        "orders_api.OrderResource",
        "GET",
        lambda w, role: Call(
            "GET", f"/api/v1/orders/{w.order.id}", headers={"X-Order-Token": w.order_token}
        ),
        same_for_all(200, False),
        public=True,
    ),
    # Door staff see no buyer's order (404 tells nothing, as for a stranger).
    "read order (caller's token)": api(
        "orders_api.OrderResource",
        "GET",
        get(lambda w: f"/api/v1/orders/{w.order.id}"),
        anonymous=401,
        door=404,
        rival=404,
        organizer=200,
    ),
    # Not a card order: the organizer is let through, and the refund refused (409).
    "refund (api)": api(
        "orders_api.OrderRefund",
        "POST",
        post_json(lambda w: f"/api/v1/orders/{w.order.id}/refund", {}),
        anonymous=401,
        door=403,
        rival=404,
        organizer=409,
    ),
    # Not a reservation: the organizer is let through, and the payment refused (409).
    "record reservation payment (api)": api(
        "orders_api.OrderPayments",
        "POST",
        post_json(
            lambda w: f"/api/v1/orders/{w.order.id}/payments",
            {"amount_minor": 100, "method": "cash"},
        ),
        anonymous=401,
        door=403,
        rival=404,
        organizer=409,
    ),
    "totals": api(
        "reports_api.Totals",
        "GET",
        get(lambda w: ev(w) + "/totals"),
        anonymous=401,
        door=403,
        rival=404,
        organizer=200,
    ),
    "list manual payments": api(
        "reports_api.ManualPayments",
        "GET",
        get(lambda w: ev(w) + "/manual-payments"),
        anonymous=401,
        door=403,
        rival=404,
        organizer=200,
    ),
    "record manual payment": api(
        "reports_api.ManualPayments",
        "POST",
        post_json(
            lambda w: ev(w) + "/manual-payments",
            {"kind": "donation", "method": "cash", "amount_minor": 500},
        ),
        anonymous=401,
        door=403,
        rival=404,
        organizer=201,
    ),
    "void manual payment (api)": api(
        "reports_api.VoidManualPayment",
        "POST",
        post_json(lambda w: f"/api/v1/manual-payments/{w.manual_payment_id}/void", {"reason": "x"}),
        anonymous=401,
        door=403,
        rival=404,
        organizer=200,
        bound=409,  # the organizer did it first
    ),
    # A stranger's scan of our code is `invalid` (409): it does not let them in, or count.
    "scan": api(
        "checkin_api.scan",
        "POST",
        post_json(lambda w: "/api/v1/checkins", scan_body),
        anonymous=401,
        door=200,
        rival=409,
        organizer=200,
    ),
    # Door staff sell at the door too; a rival's token does not see the event.
    "door sale (api)": api(
        "checkin_api.door_sale",
        "POST",
        post_json(
            lambda w: ev(w) + "/door-sales",
            lambda w, role: {"ticket_type_id": w.tier.id, "quantity": 1},
        ),
        anonymous=401,
        door=201,
        rival=404,
        organizer=201,
    ),
    "undo check-in (api)": api(
        "checkin_api.undo",
        "POST",
        post_json(lambda w: f"/api/v1/checkins/{w.checkin_id}/undo", {}),
        anonymous=401,
        door=403,
        rival=404,
        organizer=200,
        bound=409,  # the organizer did it first
    ),
    "attendees": api(
        "checkin_api.attendees",
        "GET",
        get(lambda w: ev(w) + "/attendees?q=Ada"),
        anonymous=401,
        door=200,
        rival=404,
        organizer=200,
    ),
    "door list": api(
        "door_sync_api.get_door_list",
        "GET",
        get(lambda w: ev(w) + "/door-list"),
        anonymous=401,
        door=200,
        rival=404,
        organizer=200,
    ),
    # Offline scans of a code of ours: the rival cannot name our event (404).
    "offline scans": api(
        "door_sync_api.checkin_batch",
        "POST",
        post_json(lambda w: "/api/v1/checkins/batch", batch_body),
        anonymous=401,
        door=200,
        rival=404,
        organizer=200,
    ),
    "check-in stats": api(
        "checkin_api.checkin_stats",
        "GET",
        get(lambda w: ev(w) + "/checkins/stats"),
        anonymous=401,
        door=200,
        rival=404,
        organizer=200,
    ),
}
