"""The hosted checkout page a buyer sees (on a phone): Stripe's test cards only.

It needs no CSRF token (it plays Stripe, a different site), accepts a
browser form or a JSON body the same way, and answers junk with a page,
never a 500.
"""

from flask import Blueprint, current_app, redirect, render_template, request

from standin import cards, charges, sessions
from standin import params as p
from standin.cards import N_
from standin.core import StandIn
from standin.errors import StripeFailure

bp = Blueprint("standin_checkout", __name__)

FIELDS = ("card_number", "expiry", "cvc", "name")


def standin() -> StandIn:
    return current_app.extensions["stripe_standin"]


def _fields() -> dict[str, str]:
    """What was typed, as short strings; anything else counts as empty."""
    source = request.get_json(silent=True) if request.is_json else request.form
    if not hasattr(source, "get"):
        source = {}
    names = (*FIELDS, "outcome")
    return {n: v[:100] if isinstance(v := source.get(n), str) else "" for n in names}


def _session_or_none(session_id: str) -> dict | None:
    try:
        return sessions.fresh(standin(), session_id)
    except StripeFailure:
        return None


def success_target(stand_in: StandIn, session: dict) -> str | None:
    """The stored success URL, checked again: only ever back under the shop."""
    target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
    return target if p.is_under(target, stand_in.allowed_origin) else None


def success_redirect(session: dict):
    target = success_target(standin(), session)
    if target is None:  # a session stored before URLs were checked
        return _closed(session, 409)
    return redirect(target, code=303)


def _shown(session: dict | None) -> dict | None:
    """The session for a page: a link that does not lead under the shop is left out."""
    if session is None:
        return None
    allowed = standin().allowed_origin
    shown = dict(session)
    for key in ("success_url", "cancel_url"):
        if not p.is_under(shown.get(key), allowed):
            shown[key] = ""
    return shown


def _closed(session: dict | None, status: int):
    return render_template("closed.html", session=_shown(session)), status


def _form(session: dict, typed: dict, error: str | None = None, status: int = 200):
    return (
        render_template(
            "checkout.html",
            session=_shown(session),
            line_items=session["_line_items"],
            typed=typed,
            error=error,
            test_cards=cards.TEST_CARDS,
        ),
        status,
    )


@bp.get("/pay/<session_id>")
def page(session_id):
    session = _session_or_none(session_id)
    if session is None:
        return _closed(None, 404)
    if session["status"] != "open":
        return _closed(session, 200)
    return _form(session, {})


@bp.post("/pay/<session_id>")
def pay(session_id):
    return _attempt(session_id, _fields(), authentication=None)


@bp.post("/pay/<session_id>/authenticate")
def authenticate(session_id):
    """The simulated 3-D Secure step: the buyer's bank asks them to confirm."""
    typed = _fields()
    outcome = "complete" if typed["outcome"] == "complete" else "fail"
    return _attempt(session_id, typed, authentication=outcome)


def _attempt(session_id: str, typed: dict, authentication: str | None):
    session = _session_or_none(session_id)
    if session is None:
        return _closed(None, 404)
    problem = _check_card_fields(typed)
    if problem and session["status"] == "open":
        return _form(session, typed, problem, 402)
    result = charges.attempt(
        standin(),
        session_id,
        typed["card_number"],
        name=typed["name"],
        authentication=authentication,
    )
    session = result.session
    if result.outcome == charges.PAID:
        return success_redirect(session)
    if result.outcome == charges.NEEDS_AUTHENTICATION:
        return render_template("authenticate.html", session=_shown(session), typed=typed)
    if result.outcome == charges.NOT_OPEN:
        if session["status"] == "complete":
            return success_redirect(session)
        return _closed(session, 409)
    return _form(session, typed, result.decline.message, 402)


def _check_card_fields(typed: dict) -> str | None:
    """Expiry and CVC are checked when given (a browser always sends them)."""
    expiry = typed["expiry"].replace(" ", "")
    if expiry:
        parts = expiry.split("/")
        valid = (
            len(parts) == 2
            and parts[0].isdigit()
            and parts[1].isdigit()
            and 1 <= int(parts[0]) <= 12
            and len(parts[1]) in (2, 4)
        )
        if not valid:
            return N_("Your card's expiration date is invalid (use MM/YY).")
    cvc = typed["cvc"].strip()
    if cvc and not (cvc.isdigit() and len(cvc) in (3, 4)):
        return N_("Your card's security code is invalid.")
    return None
