"""The stand-in's own controls (`/_standin/...`), for tests and for people trying it out.

Like Stripe's dashboard: see every event with its delivery status, resend
one, pay a session without a browser (the same code path as the page), and
let a session's time run out. Like the API they need the stand-in's key
(`Authorization: Bearer sk_test_...`): events carry buyers' emails and
their order links.
"""

from flask import Blueprint, current_app, request

from standin import charges
from standin import params as p
from standin.api import authenticate, json_response
from standin.checkout import success_target
from standin.core import StandIn
from standin.errors import StripeFailure
from standin.objects import load, public
from standin.webhooks import event_summary

bp = Blueprint("standin_admin", __name__, url_prefix="/_standin")
bp.before_request(authenticate)


def standin() -> StandIn:
    return current_app.extensions["stripe_standin"]


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if body is None and request.form:
        body = request.form.to_dict()
    return body if isinstance(body, dict) else {}


@bp.errorhandler(StripeFailure)
def failure(exc: StripeFailure):
    return json_response(exc.body(), exc.status)


@bp.get("/events")
def events():
    """Every event, newest first, with how its delivery went."""
    limit = p.as_int(request.args.get("limit", "100"), "limit", minimum=1, maximum=1000)
    with standin().store.read() as tx:
        rows = tx.event_rows(limit, request.args.get("type") or None)
        summaries = [event_summary(row, tx.delivery_log(row["id"])) for row in rows]
    return json_response(summaries)


@bp.get("/events/<event_id>")
def event(event_id):
    with standin().store.read() as tx:
        row = tx.event_row(event_id)
        log = tx.delivery_log(event_id)
    if row is None:
        raise StripeFailure(f"No such event: '{event_id}'", status=404, code="resource_missing")
    return json_response(event_summary(row, log))


@bp.post("/events/<event_id>/resend")
def resend(event_id):
    """Deliver an event again (same id, fresh signature), now, whatever the mode.

    Only ever to the configured endpoint: a URL from the request would let
    anyone make the stand-in post to any address (SSRF).
    """
    if "url" in _json_body():
        raise StripeFailure(
            "Events are delivered only to the configured endpoint (STANDIN_WEBHOOK_URL).",
            code="parameter_unknown",
            param="url",
        )
    url = standin().webhooks.url
    if not url:
        raise StripeFailure("No webhook endpoint: set STANDIN_WEBHOOK_URL.")
    try:
        delivery = standin().webhooks.deliver(event_id, url)
    except KeyError:
        raise StripeFailure(
            f"No such event: '{event_id}'", status=404, code="resource_missing"
        ) from None
    return json_response({"id": event_id, "delivery": delivery})


@bp.post("/sessions/<session_id>/pay")
def pay(session_id):
    """Pay as a buyer would: {"card_number", "name"?, "three_d_secure": "complete"|"fail"}."""
    body = _json_body()
    authentication = body.get("three_d_secure", "complete")
    result = charges.attempt(
        standin(),
        session_id,
        body.get("card_number"),
        name=body.get("name") if isinstance(body.get("name"), str) else "",
        authentication=authentication if authentication in ("complete", "fail") else "fail",
    )
    session = public(result.session)
    if result.outcome == charges.PAID:
        redirect_url = success_target(standin(), session)
        return json_response({"outcome": "paid", "session": session, "redirect_url": redirect_url})
    if result.outcome == charges.NOT_OPEN:
        raise StripeFailure(
            f"This Checkout Session is {session['status']}, not open.",
            code="checkout_session_not_open",
        )
    decline = result.decline
    return json_response(
        {
            "outcome": "declined",
            "session": session,
            "error": {
                "type": "card_error",
                "code": decline.code,
                "decline_code": decline.decline_code,
                "message": decline.message,
            },
        },
        402,
    )


@bp.post("/sessions/<session_id>/lapse")
def lapse(session_id):
    """Move expires_at into the past without expiring: the next read expires it lazily."""
    stand_in = standin()
    with stand_in.unit_of_work() as tx:
        session = load(tx, session_id, "checkout.session", "checkout.session")
        if session["status"] == "open":
            session["expires_at"] = stand_in.now() - 1
            tx.update(session)
    return json_response(public(session))
