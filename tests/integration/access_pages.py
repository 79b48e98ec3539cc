"""Rows of the access table for pages (and public service routes): see access_rules.py."""

from tests.integration.access_rules import (
    EVENT_FORM,
    ORG_WIDE,
    TIER_FORM,
    Call,
    get,
    manage,
    member_form,
    page,
    post_form,
    public,
)

PAGE_ROWS = {
    # Public pages and service endpoints: the same for everyone.
    "index": public("events.index", "GET", get(lambda w: "/")),
    "event page": public("events.event_page", "GET", get(lambda w: f"/events/{w.event.slug}")),
    "draft event page": public(
        "events.event_page", "GET", get(lambda w: f"/events/{w.draft.slug}"), code=404
    ),
    "buy form (free seat)": public(
        "orders.buy",
        "POST",
        lambda w, role: Call(
            "POST",
            f"/events/{w.event.slug}/buy",
            form={f"qty_{w.free_tier.id}": "1", "buyer_name": "Bea", "buyer_email": "b@b.test"},
        ),
        code=303,
    ),
    "healthz": public("health.healthz", "GET", get(lambda w: "/healthz"), is_page=False),
    # No worker beats in these tests (tasks run at once): not ready, for everyone alike.
    "readyz": public("tasks.readyz", "GET", get(lambda w: "/readyz"), code=503, is_page=False),
    "login page": public("accounts.login", "GET", get(lambda w: "/login")),
    "login post": public(
        "accounts.login",
        "POST",
        post_form(
            lambda w: "/login", {"email": "organizer@example.test", "password": "password-123"}
        ),
        code=302,
    ),
    "profile page": page(
        "accounts.profile",
        "GET",
        get(lambda w: "/profile"),
        door=403,
        door_login=200,
        rival=200,
        organizer=200,
        bound=403,
    ),
    "profile post": page(
        "accounts.profile",
        "POST",
        post_form(lambda w: "/profile", {"locale": "ru"}),
        door=403,
        door_login=302,
        rival=302,
        organizer=302,
        bound=403,
    ),
    "logout": public("accounts.logout", "POST", post_form(lambda w: "/logout"), code=302),
    "openapi": public("api-docs.openapi_json", "GET", get(lambda w: "/api/v1/openapi.json")),
    "api docs": public("apidocs.docs", "GET", get(lambda w: "/api/v1/docs")),
    # The buyer's pages: the key is in the link, whoever holds it (no account).
    "order page (token)": public(
        "tickets.order_page", "GET", get(lambda w: f"/orders/{w.order.id}/{w.order_token}")
    ),
    "order page (no token)": public(
        "tickets.order_without_token", "GET", get(lambda w: f"/orders/{w.order.id}"), code=404
    ),
    "order calendar (token)": public(
        "tickets.order_ics", "GET", get(lambda w: f"/orders/{w.order.id}/{w.order_token}/event.ics")
    ),
    "checkout success (token)": public(
        "orders.checkout_success",
        "GET",
        get(lambda w: f"/checkout/{w.order.id}/success?token={w.order_token}"),
        code=303,
    ),
    "checkout cancel (token)": public(
        "orders.checkout_cancel",
        "GET",
        get(lambda w: f"/checkout/{w.order.id}/cancel?token={w.order_token}"),
    ),
    # A paid order cannot be reserved instead: back to the cancel page with a note.
    "checkout reserve instead (token)": public(
        "orders.reserve_instead",
        "POST",
        post_form(lambda w: f"/checkout/{w.order.id}/reserve?token={w.order_token}"),
        code=303,
    ),
    # A paid order owes nothing: back to its page with a note.
    "reservation pay by card (token)": public(
        "orders.pay_reservation_by_card",
        "POST",
        post_form(lambda w: f"/orders/{w.order.id}/{w.order_token}/pay-by-card"),
        code=303,
    ),
    "qr svg (code)": public(
        "tickets.qr_svg", "GET", get(lambda w: f"/tickets/{w.codes[0]}/qr.svg")
    ),
    "qr png (code)": public(
        "tickets.qr_png", "GET", get(lambda w: f"/tickets/{w.codes[0]}/qr.png")
    ),
    "door device link": public(
        "checkin.device_link", "GET", get(lambda w: f"/door/device/{w.device_token}")
    ),
    "door service worker": public(
        "door_app.service_worker", "GET", get(lambda w: "/door/sw.js"), is_page=False
    ),
    "door app manifest": public(
        "door_app.manifest", "GET", get(lambda w: "/door/manifest.webmanifest"), is_page=False
    ),
    # Organizer pages: login for anonymous, 403 door, 404 another organization.
    "scanner page": page(
        "checkin.scanner", "GET", get(lambda w: "/door"), door=200, rival=200, organizer=200
    ),
    "my events": page(
        "manage.events", "GET", get(lambda w: "/manage/events"), door=403, rival=200, organizer=200
    ),
    "new event page": page(
        "manage.new_event",
        "GET",
        get(lambda w: "/manage/events/new"),
        door=403,
        rival=200,
        organizer=200,
        bound=ORG_WIDE,
    ),
    "new event post": page(
        "manage.new_event",
        "POST",
        post_form(lambda w: "/manage/events/new", EVENT_FORM),
        door=403,
        rival=302,
        organizer=302,
        bound=ORG_WIDE,
    ),
    "edit event page": page(
        "manage.edit_event",
        "GET",
        get(lambda w: manage(w) + "/edit"),
        door=403,
        rival=404,
        organizer=200,
    ),
    "edit event post": page(
        "manage.edit_event",
        "POST",
        post_form(lambda w: manage(w) + "/edit", EVENT_FORM),
        door=403,
        rival=404,
        organizer=302,
    ),
    "new tier page": page(
        "manage.new_tier",
        "GET",
        get(lambda w: manage(w) + "/tiers/new"),
        door=403,
        rival=404,
        organizer=200,
    ),
    "new tier post": page(
        "manage.new_tier",
        "POST",
        post_form(lambda w: manage(w) + "/tiers/new", TIER_FORM),
        door=403,
        rival=404,
        organizer=302,
    ),
    "edit tier page": page(
        "manage.edit_tier",
        "GET",
        get(lambda w: f"{manage(w)}/tiers/{w.tier.id}/edit"),
        door=403,
        rival=404,
        organizer=200,
    ),
    "edit tier post": page(
        "manage.edit_tier",
        "POST",
        post_form(lambda w: f"{manage(w)}/tiers/{w.tier.id}/edit", TIER_FORM),
        door=403,
        rival=404,
        organizer=302,
    ),
    "check-in list": page(
        "checkin.checkin_list",
        "GET",
        get(lambda w: manage(w) + "/checkins"),
        door=403,
        rival=404,
        organizer=200,
    ),
    "check-ins csv": page(
        "checkin.checkin_csv",
        "GET",
        get(lambda w: manage(w) + "/checkins.csv"),
        door=403,
        rival=404,
        organizer=200,
    ),
    "undo check-in (page)": page(
        "checkin.undo",
        "POST",
        post_form(lambda w: f"{manage(w)}/checkins/{w.checkin_id}/undo"),
        door=403,
        rival=404,
        organizer=302,
        bound=409,  # the organizer undid it first
    ),
    "new device link": page(
        "checkin.new_device_link",
        "POST",
        post_form(lambda w: manage(w) + "/device-links"),
        door=403,
        rival=404,
        organizer=201,
    ),
    "team page": page(
        "accounts.team",
        "GET",
        get(lambda w: "/team"),
        door=403,
        rival=200,
        organizer=200,
        bound=ORG_WIDE,
    ),
    "team add": page(
        "accounts.team",
        "POST",
        lambda w, role: Call("POST", "/team", form=member_form(w, role)),
        door=403,
        rival=302,
        organizer=302,
        bound=ORG_WIDE,
    ),
    "team remove": page(
        "accounts.remove_member",
        "POST",
        post_form(lambda w: f"/team/{w.spare_member_id}/remove"),
        door=403,
        rival=404,
        organizer=302,
        bound=ORG_WIDE,
    ),
    "tokens page": page(
        "accounts.tokens",
        "GET",
        get(lambda w: "/tokens"),
        door=403,
        rival=200,
        organizer=200,
        bound=ORG_WIDE,
    ),
    "token create": page(
        "accounts.tokens",
        "POST",
        post_form(lambda w: "/tokens", {"name": "t", "role": "door", "event_id": ""}),
        door=403,
        rival=201,
        organizer=201,
        bound=ORG_WIDE,
    ),
    "token revoke": page(
        "accounts.revoke_token",
        "POST",
        post_form(lambda w: f"/tokens/{w.spare_token_id}/revoke"),
        door=403,
        rival=404,
        organizer=302,
        bound=ORG_WIDE,
    ),
    # Money pages: door staff never see them (403).
    "dashboard": page(
        "reports.dashboard",
        "GET",
        get(lambda w: manage(w) + "/dashboard"),
        door=403,
        rival=404,
        organizer=200,
    ),
    "record donation": page(
        "reports.record_donation",
        "POST",
        post_form(
            lambda w: manage(w) + "/manual-donations",
            {"donation-amount": "10", "donation-method": "cash"},
        ),
        door=403,
        rival=404,
        organizer=302,
        csrf_field="donation-csrf_token",
    ),
    "record door sale": page(
        "reports.record_door_sale",
        "POST",
        lambda w, role: Call(
            "POST",
            manage(w) + "/door-sales",
            form={
                "door-ticket_type_id": str(w.tier.id),
                "door-quantity": "1",
                "door-method": "cash",
            },
        ),
        door=403,
        rival=404,
        organizer=302,
        csrf_field="door-csrf_token",
    ),
    # No such reference or box in this world: the organizer gets past every check, the form says no.
    "record reservation payment (page)": page(
        "reports.record_reservation_payment",
        "POST",
        post_form(
            lambda w: manage(w) + "/reservation-payments",
            {
                "reservation-reference": "NOPE",
                "reservation-amount": "10",
                "reservation-method": "cash",
            },
        ),  # fmt: skip
        door=403,
        rival=404,
        organizer=422,
        csrf_field="reservation-csrf_token",
    ),
    "close cash box": page(
        "reports.close_cash_box",
        "POST",
        lambda w, role: Call(
            "POST",
            manage(w) + "/cash-boxes/close",
            form={"close-box": f"u{w.door.user_id}", "close-counted": "10"},
        ),
        door=403,
        rival=404,
        organizer=422,
        csrf_field="close-csrf_token",
    ),
    "void manual payment (page)": page(
        "reports.void_manual_payment",
        "POST",
        post_form(
            lambda w: f"/manage/manual-payments/{w.manual_payment_id}/void", {"void-reason": "typo"}
        ),
        door=403,
        rival=404,
        organizer=302,
        csrf_field="void-csrf_token",
    ),
    "orders csv": page(
        "reports.export",
        "GET",
        get(lambda w: manage(w) + "/export/orders.csv"),
        door=403,
        rival=404,
        organizer=200,
    ),
    "attendees csv": page(
        "reports.export",
        "GET",
        get(lambda w: manage(w) + "/export/attendees.csv"),
        door=403,
        rival=404,
        organizer=200,
    ),
    "ledger csv": page(
        "reports.export",
        "GET",
        get(lambda w: manage(w) + "/export/ledger.csv"),
        door=403,
        rival=404,
        organizer=200,
    ),
    "order detail": page(
        "reports.order_detail",
        "GET",
        get(lambda w: f"/manage/orders/{w.order.id}"),
        door=403,
        rival=404,
        organizer=200,
    ),
    # Not a card order: the organizer gets past every check and the refusal is on the form.
    "refund (page)": page(
        "reports.refund",
        "POST",
        post_form(lambda w: f"/manage/orders/{w.order.id}/refund"),
        door=403,
        rival=404,
        organizer=422,
    ),
    "resend tickets": page(
        "reports.resend_tickets",
        "POST",
        post_form(lambda w: f"/manage/orders/{w.order.id}/resend"),
        door=403,
        rival=404,
        organizer=302,
    ),
}
