"""Small builders for test data, shared by every domain's tests."""

from datetime import UTC, datetime, timedelta

from ticketing.accounts import services as accounts
from ticketing.accounts.tokens import hash_secret, new_secret
from ticketing.events import services as events
from ticketing.extensions import db
from ticketing.orders.models import Order, OrderLine
from ticketing.tickets.models import Ticket

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def organization(name: str | None = None):
    n = _next()
    return accounts.create_organization(name or f"Org {n}", slug=f"org-{n}")


def member(org, role: str = "organizer", email: str | None = None):
    n = _next()
    user = accounts.create_user(email or f"user{n}@example.test", f"User {n}", "password-123")
    return accounts.add_member(user, org, role)


def token(org, role: str = "organizer", event_id: int | None = None) -> str:
    """A plain API token for a new member of `org` with that role."""
    _, plain = accounts.issue_token(member(org, role), role, event_id=event_id)
    return plain


def event(org, currency: str = "USD", **fields):
    n = _next()
    defaults = {
        "name": f"Concert {n}",
        "starts_at": datetime.now(UTC) + timedelta(days=30),
        "timezone": "Europe/Istanbul",
        "currency": currency,
        "venue": "Hall",
        "published": True,
        "goal_minor": 100_000,
    }
    return events.create_event(org.id, **{**defaults, **fields})


def tier(ev, **fields):
    defaults = {"name": f"Tier {_next()}", "price_minor": 2500, "capacity": 100}
    return events.add_ticket_type(ev, **{**defaults, **fields})


def paid_order(ev, tiers_quantities: list[tuple], buyer: str = "Ada Buyer"):
    """An order already paid, with its lines (tickets are not issued here)."""
    order = Order(
        event_id=ev.id,
        buyer_name=buyer,
        buyer_email="ada@example.test",
        status="paid",
        currency=ev.currency,
        access_token_hash=hash_secret(new_secret("ord")),
        paid_at=datetime.now(UTC),
    )
    for t, quantity in tiers_quantities:
        order.lines.append(
            OrderLine(ticket_type_id=t.id, quantity=quantity, unit_price_minor=t.price_minor)
        )
    order.tickets_minor = sum(t.price_minor * q for t, q in tiers_quantities)
    order.total_minor = order.tickets_minor
    db.session.add(order)
    db.session.flush()
    return order


def ticket(order, t, code: str):
    row = Ticket(
        code=code,
        order_id=order.id,
        ticket_type_id=t.id,
        event_id=order.event_id,
        holder_name=order.buyer_name,
    )
    db.session.add(row)
    db.session.flush()
    return row
