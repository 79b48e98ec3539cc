"""How the access table is written: the callers, the expected answers, the request builders.

Callers: `anonymous`; `door` (a door API token); `door_login` (a door member
logged in, pages only); `rival` (organizer of another organization: a token
for the API, a login for pages); `organizer` (of the right organization);
`bound` (an organizer token bound to the event, sent as Bearer to pages and
API alike: it answers like `organizer` unless a row says otherwise, and goes
last, so a row names its answer when the organizer's call used up the thing).

LOGIN means "302 to the login form". Page rows send a valid CSRF token, so
the answer is about who asks, not about the form. Each row runs on a fresh
world, callers in the order above, so an organizer's 200/302 after the
others shows that their refusals changed nothing the organizer then needed.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

LOGIN = "login"
API_ROLES = ("anonymous", "door", "rival", "organizer", "bound")
PAGE_ROLES = ("anonymous", "door", "door_login", "rival", "organizer", "bound")
# What an event-bound token may never do: act for the whole organization.
ORG_WIDE = 403


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    json: dict | None = None
    form: dict | None = None
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    build: object  # (world, role) -> Call
    expect: dict  # role -> status code or LOGIN
    page: bool = False
    public: bool = False  # anyone may read it: no leak checks
    csrf_field: str = "csrf_token"


def same_for_all(code: int, page: bool) -> dict:
    return dict.fromkeys(PAGE_ROLES if page else API_ROLES, code)


def api(endpoint, method, build, *, anonymous, door, rival, organizer, bound=None, **kw) -> Row:
    expect = {"anonymous": anonymous, "door": door, "rival": rival, "organizer": organizer}
    expect["bound"] = organizer if bound is None else bound
    return Row(endpoint, method, build, expect, **kw)


def page(
    endpoint, method, build, *, door, rival, organizer, anonymous=LOGIN, bound=None, **kw
) -> Row:
    door_login = kw.pop("door_login", door)  # a door person logged in, where it differs
    expect = {
        "anonymous": anonymous,
        "door": door,
        "door_login": door_login,
        "rival": rival,
        "organizer": organizer,
        "bound": organizer if bound is None else bound,
    }
    return Row(endpoint, method, build, expect, page=True, **kw)


def public(endpoint, method, build, code=200, is_page=True) -> Row:
    return Row(endpoint, method, build, same_for_all(code, is_page), page=is_page, public=True)


def get(path_of):
    return lambda w, role: Call("GET", path_of(w))


def post_form(path_of, form=None):
    return lambda w, role: Call("POST", path_of(w), form=dict(form or {}))


def post_json(path_of, body):
    return lambda w, role: Call("POST", path_of(w), json=body(w, role) if callable(body) else body)


EVENT_FORM = {
    "name": "Another night",
    "venue": "Hall",
    "starts_at": "2027-01-19T19:30",
    "timezone": "Europe/Istanbul",
    "currency": "USD",
    "published": "y",
}
TIER_FORM = {"name": "Balcony", "price": "25", "capacity": "100", "max_per_order": "10"}
NEW_EVENT = {
    "name": "API night",
    "starts_at": "2027-02-01T19:00:00+03:00",
    "timezone": "Europe/Istanbul",
    "venue": "Hall",
    "currency": "USD",
}


def ev(w) -> str:
    return f"/api/v1/events/{w.event.id}"


def manage(w) -> str:
    return f"/manage/events/{w.event.id}"


def free_order(w, role) -> dict:
    items = [{"ticket_type_id": w.free_tier.id, "quantity": 1}]
    return {"buyer_name": f"{role} buyer", "buyer_email": f"{role}@buyers.test", "items": items}


def scan_body(w, role) -> dict:
    # door scans ticket 1; the rival then tries ticket 2, which the organizer scans last.
    return {"code": {"door": w.codes[1], "bound": w.codes[3]}.get(role, w.codes[2])}


def batch_body(w, role) -> dict:
    scanned_at = datetime.now(UTC).isoformat()
    scan = {"code": w.codes[2], "nonce": f"batch-{role}", "scanned_at": scanned_at}
    return {"event_id": w.event.id, "scans": [scan]}


def member_form(w, role) -> dict:
    return {"name": "New", "email": f"new-{role}@example.test", "password": "long-enough-1",
            "role": "door"}  # fmt: skip
