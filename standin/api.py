"""Stripe's HTTP API (`/v1/...`) for exactly the calls the app makes, over the real SDK.

Form-encoded parameters in, JSON objects out, Stripe's error shape and
statuses (so the SDK raises the same exception classes), `expand`, and
idempotency keys: a key replays its first successful response.
"""

import hashlib
import hmac
import json
import re
import time

from flask import Blueprint, Response, current_app, request, url_for

from standin import lists, refunds, sessions
from standin import params as p
from standin.core import StandIn
from standin.errors import StripeFailure
from standin.objects import line_items, list_object, load, render
from standin.store import new_id

bp = Blueprint("standin_api", __name__, url_prefix="/v1")

_TEST_KEY = re.compile(r"^(sk|rk)_test_[A-Za-z0-9_]+$")


def standin() -> StandIn:
    return current_app.extensions["stripe_standin"]


def json_response(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


# authentication ------------------------------------------------------------


def is_test_key(key) -> bool:
    return isinstance(key, str) and bool(_TEST_KEY.match(key))


@bp.before_request
def authenticate():
    """Only the configured key works, as only your own key works at Stripe; live
    keys are refused outright (no money ever moves here)."""
    key = _api_key()
    if not key:
        raise StripeFailure(
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth "
            "(e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            status=401,
        )
    if key.startswith(("sk_live_", "rk_live_")):
        raise StripeFailure(
            "This is the offline Stripe stand-in: it refuses live keys (sk_live_...) because "
            "it never moves real money. Use an sk_test_... key.",
            status=401,
            code="live_key_refused",
        )
    if not hmac.compare_digest(key.encode(), standin().api_key.encode()):
        raise StripeFailure(f"Invalid API Key provided: {key[:8]}****", status=401)


@bp.before_request
def slow_stripe():
    """STANDIN_API_DELAY_SECONDS: Stripe answering that much slower than usual."""
    if standin().api_delay > 0:
        time.sleep(standin().api_delay)


def _api_key() -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[len("Bearer ") :].strip()
    if request.authorization and request.authorization.type == "basic":
        return request.authorization.username or ""
    return ""


@bp.after_request
def stripe_headers(response: Response) -> Response:
    response.headers.setdefault("Request-Id", new_id("req_", 14))
    response.headers["Stripe-Version"] = request.headers.get(
        "Stripe-Version", standin().webhooks.api_version
    )
    return response


@bp.errorhandler(StripeFailure)
def stripe_failure(exc: StripeFailure):
    headers = {"Stripe-Should-Retry": "false"}
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="Stripe"'
    return json_response(exc.body(), exc.status, headers)


# helpers -------------------------------------------------------------------


def _params() -> dict:
    return p.parse(request.form if request.method == "POST" else request.args)


def _expand(params: dict) -> list[str]:
    return [str(item) for item in p.as_list(params.get("expand"), "expand")]


def _idempotent(operation) -> Response:
    """Run a POST once per Idempotency-Key; a replay returns the first response.

    The lookup, the work and the stored response share one IMMEDIATE
    transaction, so two concurrent requests with one key cannot both run.
    Refusals are not stored (as at Stripe): the same key may be retried.
    """
    params = _params()
    key = request.headers.get("Idempotency-Key") or None
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
    request_id = new_id("req_", 14)
    stand_in = standin()
    with stand_in.unit_of_work({"id": request_id, "idempotency_key": key}) as tx:
        if key:
            first = tx.idempotent_response(key)
            if first is not None:
                if (first["method"], first["path"], first["params_hash"]) != (
                    request.method,
                    request.path,
                    digest,
                ):
                    raise StripeFailure(
                        "Keys for idempotent requests can only be used with the same parameters "
                        f"they were first used with. Try using a key other than '{key}' if you "
                        "meant to execute a different request.",
                        type="idempotency_error",
                    )
                return Response(
                    first["body"],
                    status=first["status"],
                    mimetype="application/json",
                    headers={"Idempotent-Replayed": "true", "Original-Request": request_id},
                )
        body = json.dumps(operation(tx, params))
        if key:
            tx.remember_response(
                key, request.method, request.path, digest, 200, body, stand_in.now()
            )
    return Response(
        body, status=200, mimetype="application/json", headers={"Request-Id": request_id}
    )


def _page_url(session_id: str) -> str:
    base = standin().public_url
    if base:
        return f"{base}/pay/{session_id}"
    return url_for("standin_checkout.page", session_id=session_id, _external=True)


def _get(object_id: str, kind: str, label: str | None = None) -> Response:
    params = _params()
    with standin().store.read() as tx:
        return json_response(render(tx, load(tx, object_id, kind, label), _expand(params)))


# checkout sessions -----------------------------------------------------------


@bp.post("/checkout/sessions")
def create_session():
    def operation(tx, params):
        session = sessions.create(standin(), tx, params, _page_url)
        return render(tx, session, _expand(params))

    return _idempotent(operation)


@bp.get("/checkout/sessions/<session_id>")
def retrieve_session(session_id):
    params = _params()
    sessions.fresh(standin(), session_id)
    with standin().store.read() as tx:
        session = load(tx, session_id, "checkout.session", "checkout.session")
        return json_response(render(tx, session, _expand(params)))


@bp.get("/checkout/sessions")
def list_sessions():
    return _list("checkout.session", "/v1/checkout/sessions", ("payment_intent", "status"))


def _list(kind: str, url: str, filters: tuple[str, ...]) -> Response:
    params = _params()
    with standin().store.read() as tx:
        found, has_more = lists.listing(tx, kind, params, filters)
        items = [render(tx, obj, _expand(params)) for obj in found]
    return json_response(list_object(url, items, has_more))


@bp.get("/checkout/sessions/<session_id>/line_items")
def session_line_items(session_id):
    with standin().store.read() as tx:
        session = load(tx, session_id, "checkout.session", "checkout.session")
    return json_response(line_items(session))


@bp.post("/checkout/sessions/<session_id>/expire")
def expire_session(session_id):
    def operation(tx, params):
        p.check_known(params, frozenset({"expand"}))
        return render(tx, sessions.expire_by_request(standin(), tx, session_id), _expand(params))

    return _idempotent(operation)


# payments --------------------------------------------------------------------


@bp.get("/payment_intents/<intent_id>")
def retrieve_payment_intent(intent_id):
    return _get(intent_id, "payment_intent")


@bp.get("/charges/<charge_id>")
def retrieve_charge(charge_id):
    return _get(charge_id, "charge")


@bp.get("/balance_transactions/<txn_id>")
def retrieve_balance_transaction(txn_id):
    return _get(txn_id, "balance_transaction")


@bp.get("/disputes/<dispute_id>")
def retrieve_dispute(dispute_id):
    return _get(dispute_id, "dispute")


@bp.post("/refunds")
def create_refund():
    def operation(tx, params):
        return render(tx, refunds.create(standin(), tx, params), _expand(params))

    return _idempotent(operation)


@bp.get("/refunds/<refund_id>")
def retrieve_refund(refund_id):
    return _get(refund_id, "refund")


@bp.get("/refunds")
def list_refunds():
    return _list("refund", "/v1/refunds", ("payment_intent", "charge"))


@bp.get("/charges")
def list_charges():
    return _list("charge", "/v1/charges", ("payment_intent",))


@bp.get("/disputes")
def list_disputes():
    return _list("dispute", "/v1/disputes", ("charge", "payment_intent"))


@bp.get("/events/<event_id>")
def retrieve_event(event_id):
    with standin().store.read() as tx:
        row = tx.event_row(event_id)
    if row is None:
        raise StripeFailure(
            f"No such event: '{event_id}'", status=404, code="resource_missing", param="id"
        )
    return json_response(json.loads(row["body"]))
