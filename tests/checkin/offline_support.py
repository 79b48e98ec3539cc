"""Builders for the offline door tests: reservations, door lists, batches."""

import gzip
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from tests.support import factories
from tests.support.reservations import reserved_order
from ticketing.extensions import db
from ticketing.tickets.codes import new_code
from ticketing.tickets.models import Ticket


def reservation(event, tier, quantity: int = 2, buyer: str = "Борис Пастернак"):
    """A `reserved` order paying at the door, with its unpaid tickets."""
    order = reserved_order(event, [(tier, quantity)], buyer=buyer)
    tickets = db.session.query(Ticket).filter_by(order_id=order.id).order_by(Ticket.id).all()
    return order, tickets


def paid_tickets(event, tier, names: list[str]):
    tickets = []
    for name in names:
        order = factories.paid_order(event, [(tier, 1)], buyer=name)
        tickets.append(factories.ticket(order, tier, new_code()))
    return tickets


def door_list(client, door, since=None, token=None, event_id=None, gzip_ok=True):
    headers = door.headers(token)
    if gzip_ok:
        headers["Accept-Encoding"] = "gzip"
    query = {"since": since} if since is not None else {}
    return client.get(
        f"/api/v1/events/{event_id or door.event.id}/door-list",
        query_string=query,
        headers=headers,
    )


def body_of(response) -> dict:
    data = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return json.loads(data)


def code_hash(salt: str, code: str) -> str:
    return hmac.new(salt.encode("utf-8"), code.encode(), hashlib.sha256).hexdigest()


def by_hash(body: dict) -> dict:
    return {item["code_hash"]: item for item in body["tickets"]}


def batch(client, door, scans, token=None, event_id=None):
    return client.post(
        "/api/v1/checkins/batch",
        json={"event_id": event_id or door.event.id, "scans": scans},
        headers=door.headers(token),
    )


def ago(**delta) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()
